import AjvModule from 'ajv';
import fc from 'fast-check';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { documentedOps, roleFor, validBody, validPath, type Json, type Op } from './support/routes.js';
import { act, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// ajv is CommonJS; under native ESM its class sits on `default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
type Validate = (data: unknown) => boolean;

// 1,000 per endpoint, as docs/ARCHITECTURE.md says; FUZZ_PER_ENDPOINT lowers it for a quick local loop.
const PER_ENDPOINT = Number(process.env.FUZZ_PER_ENDPOINT ?? 1000);
const CONCURRENCY = 16;
// The app and the fuzzer share one event loop: ~300 requests/s on a quiet machine, a fraction of that
// on a busy one. So each request has its own limit, which a hang hits at once, naming the request,
// and the test as a whole only a backstop that no slowness reaches.
const ANSWER_WITHIN_MS = 30_000;
const BACKSTOP_MS = 60 * 60_000;
const STACK = /at .*\.(js|ts):\d+/;
const SQL = /(SELECT|INSERT|UPDATE) .* FROM|syntax error|QueryFailedError|violates .* constraint|relation "/i;
const INTERNAL = ['passwordHash', 'password_hash', 'tokenVersion', 'token_version', 'request_hash', 'token_hash'];
const SMUGGLED = { role: 'admin', organizationId: '00000000-0000-4000-8000-000000000001', priceCents: 1, status: 'accepted', assigneeId: '00000000-0000-4000-8000-000000000002', suspended: true };

/** OpenAPI 3.0's `nullable: true` is not JSON Schema; spell it as a type union for the validator (an enum's values then include null). */
function nullableToType(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nullableToType);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, nullableToType(v)]));
  if (out.nullable === true) {
    delete out.nullable;
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');
const ascii = fc.string({ maxLength: 20 });
/** Text with a NUL in it, which PostgreSQL stores in neither text nor jsonb. */
const withNul = fc.tuple(ascii, ascii).map(([a, b]) => `${a}\u0000${b}`);
/** Half of a surrogate pair alone: a JavaScript string and JSON (`"\ud800"`) hold one, UTF-8 cannot. */
const loneSurrogate = fc.tuple(ascii, fc.integer({ min: 0xd800, max: 0xdfff }), ascii).map(([a, unit, b]) => `${a}${String.fromCharCode(unit)}${b}`);
/** A date-time in the coming weeks whose offset PostgreSQL refuses (±16:00 to ±23:59) or no clock has (±24:00 and beyond). */
const extremeOffset = fc
  .record({
    days: fc.integer({ min: 1, max: 80 }),
    sign: fc.constantFrom('+', '-'),
    hours: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 16, max: 23 }) }, { weight: 1, arbitrary: fc.integer({ min: 24, max: 99 }) }),
    minutes: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 59 }) }, { weight: 1, arbitrary: fc.integer({ min: 60, max: 99 }) }),
  })
  .map(({ days, sign, hours, minutes }) => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 19)}${sign}${pad(hours)}:${pad(minutes)}`);
/** Numbers past Number.MAX_SAFE_INTEGER (2^53 − 1), either sign: JSON writes them, a double only approximates them. */
const pastSafeInteger = fc
  .oneof(fc.double({ min: 2 ** 53, max: Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(2 ** 53, 2 ** 53 + 2, 1e21))
  .chain((n) => fc.constantFrom(n, -n));
/** The same in a query string, where it is digits: some far past what a double holds exactly. */
const pastSafeIntegerText = fc.oneof(pastSafeInteger.map(String), fc.bigInt({ min: 2n ** 53n, max: 10n ** 40n }).map(String));

const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 5000, maxLength: 60_000 }),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 1 }), { maxKeys: 4 }),
  withNul,
  loneSurrogate,
  extremeOffset,
  pastSafeInteger,
  fc.constantFrom('', ' ', '\u0000', '💥'.repeat(100), '<script>alert(1)</script>', "' OR 1=1 --", '../../etc/passwd', '9'.repeat(400), '-1', 'NaN', '1e309', '{}', '[]'),
);

const badUuid = fc.oneof(
  fc.string({ maxLength: 60 }),
  withNul,
  fc.constantFrom('00000000-0000-0000-0000-000000000000x', 'null', 'undefined', '%00', '..', '1', "1' OR '1'='1", 'ffffffff-ffff-ffff-ffff-ffffffffffff', '😀'),
);

interface Case {
  pathValues: Record<string, string>;
  query: Record<string, string>;
  body?: { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; type: string };
}

function caseFor(op: Op): fc.Arbitrary<Case> {
  const pathNames = op.params.filter((p) => p.in === 'path').map((p) => p.name);
  const queryNames = op.params.filter((p) => p.in === 'query').map((p) => p.name);
  const props = Object.keys(op.body?.properties ?? {});
  const pathValues = fc.record(Object.fromEntries(pathNames.map((n) => [n, fc.oneof(badUuid, fc.constant('00000000-0000-4000-8000-000000000000'), fc.constantFrom('research', 'juggling'))])));
  const query = fc.dictionary(fc.oneof(fc.constantFrom(...queryNames, 'limit', 'cursor', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), fc.oneof(fc.string({ maxLength: 30 }), withNul, extremeOffset, pastSafeIntegerText, fc.constantFrom('201', '-5', 'abc', '1e3', '%ff', 'x'.repeat(500))), { maxKeys: 3 });
  const wrongFields = fc.record(Object.fromEntries(props.map((p) => [p, junk])), { requiredKeys: [] });
  const body = fc.oneof(
    fc.record({ kind: fc.constant('json' as const), value: junk }),
    fc.record({ kind: fc.constant('json' as const), value: wrongFields }),
    fc.record({ kind: fc.constant('json' as const), value: fc.tuple(wrongFields, fc.constantFrom(...Object.entries(SMUGGLED))).map(([o, [k, v]]) => ({ ...o, [k]: v })) }),
    fc.record({ kind: fc.constant('raw' as const), text: fc.constantFrom('{"a":', '{', 'nul', '[1,2', '{"__proto__":{"role":"admin"}}', '"x"', '\u0000', '{"a":1}{"b":2}'), type: fc.constant('application/json') }),
    fc.record({ kind: fc.constant('raw' as const), text: fc.string({ maxLength: 50 }), type: fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16') }),
  );
  return fc.record({ pathValues, query, body: op.method === 'get' ? fc.constant(undefined) : fc.option(body, { nil: undefined, freq: 8 }) });
}

describe('security: fuzzing every endpoint, and nothing internal exposed', () => {
  let t: TestApp;
  let ops: Op[];
  let doc: Json;
  let taskId: string;
  const sessions = {} as Record<'admin' | 'client' | 'assistant', Session>;
  const ajv = new Ajv({ allErrors: false });

  beforeAll(async () => {
    // The run can outlast the default 15 min of an access token on a busy machine (20 min at a load of 25):
    // expired tokens would turn the rest into 401s that test nothing.
    t = await startTestApp({ LOG_LEVEL: 'silent', ACCESS_TOKEN_TTL: '24h' });
    sessions.admin = await loginAdmin(t.http, t.config);
    sessions.client = await registerClient(t.http);
    sessions.assistant = await registerAssistant(t.http, ['data_entry', 'research']);
    // Some data so lists and reads have something to (not) expose.
    const task = await submitTask(t.http, sessions.client);
    await act(t.http, sessions.assistant, task.id, 'claim');
    taskId = task.id;
    ({ doc, ops } = await documentedOps(t.http));
  });
  afterAll(() => t.close());

  it('documents no internal field in any schema', () => {
    const text = JSON.stringify(doc);
    for (const name of INTERNAL) expect(text).not.toContain(name);
  });

  it(`sends ${PER_ENDPOINT} malformed requests to every endpoint: no 5xx, no stack or SQL, every body in a documented shape`, async () => {
    const started = Date.now();
    const byStatus: Record<number, number> = {};
    const failures: string[] = [];
    let sent = 0;
    const validators = new Map<string, Validate & { errors?: unknown }>();
    const jobs: (() => Promise<void>)[] = [];
    for (const op of ops) {
      const token = sessions[roleFor(op.method, op.path)].token;
      for (const c of fc.sample(caseFor(op), { numRuns: PER_ENDPOINT, seed: 20260 })) {
        jobs.push(async () => {
          let url = op.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(c.pathValues[n] ?? ''));
          const qs = new URLSearchParams(c.query).toString();
          if (qs) url += `?${qs}`;
          const headers: Record<string, string> = { authorization: `Bearer ${token}` };
          let payload: string | undefined;
          if (c.body?.kind === 'json') {
            payload = JSON.stringify(c.body.value) ?? 'null';
            headers['content-type'] = 'application/json';
          } else if (c.body?.kind === 'raw') {
            payload = c.body.text;
            headers['content-type'] = c.body.type;
          }
          const res = await t.http.request(op.method.toUpperCase(), url, undefined, { raw: payload, headers, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) }).catch((e: unknown) => {
            throw new Error(`${op.method.toUpperCase()} ${url.slice(0, 120)}: no answer within ${ANSWER_WITHIN_MS} ms (${String(e)})`);
          });
          sent++;
          byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
          const where = `${op.method.toUpperCase()} ${url.slice(0, 120)} → ${res.status}`;
          if (res.status >= 500) failures.push(`${where}: ${res.text.slice(0, 200)}`);
          // Every request carries a valid token: a 401 elsewhere than signing in would mean the fuzz reached nothing.
          if (res.status === 401 && !/^\/api\/auth\/(login|refresh|login\/two-factor)$/.test(op.path)) failures.push(`${where}: refused the caller's token`);
          if (STACK.test(res.text) || SQL.test(res.text)) failures.push(`${where}: leaks ${res.text.slice(0, 200)}`);
          if (INTERNAL.some((f) => res.text.includes(f))) failures.push(`${where}: internal field`);
          if (res.status >= 400) {
            const b = res.body as Json;
            if (!b || typeof b.message !== 'string' || typeof b.error !== 'string' || b.statusCode !== res.status) failures.push(`${where}: not the error shape: ${res.text.slice(0, 200)}`);
          } else if (res.status !== 204 && new URL(url, t.url).pathname === url.split('?')[0]) {
            // Not when the URL parser resolved a `..` id away: `/api/tasks/../disputes` reaches another route, with its own schema.
            const schema = op.success[String(res.status)];
            if (schema) {
              const key = `${op.method} ${op.path} ${res.status}`;
              if (!validators.has(key)) validators.set(key, ajv.compile(nullableToType(schema) as object) as Validate);
              const validate = validators.get(key)!;
              if (!validate(res.body)) failures.push(`${where}: breaks its documented schema: ${ajv.errorsText(validate.errors as never)}`);
            }
          }
        });
      }
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs.length) await jobs[next++]!();
      }),
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.info(`fuzz: ${sent} requests to ${ops.length} endpoints in ${seconds} s; by status ${JSON.stringify(byStatus)}; ${failures.length} failures`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(PER_ENDPOINT * ops.length);
    expect(Object.keys(byStatus).filter((s) => Number(s) >= 500)).toEqual([]);
  }, BACKSTOP_MS);

  it('refuses smuggled role, organizationId, priceCents, status, assigneeId and suspended on every write route, and changes nothing', async () => {
    const writes = ops.filter((o) => o.body && ['post', 'put', 'patch'].includes(o.method));
    const snapshot = async () => JSON.stringify((await t.db.query(`SELECT (SELECT count(*) FROM users) u, (SELECT count(*) FROM tasks) t, (SELECT json_agg(r ORDER BY category) FROM rate_card r) rc, (SELECT json_agg(x ORDER BY id) FROM (SELECT id, role, organization_id, suspended, max_concurrent_tasks, online FROM users) x) us, (SELECT json_agg(x ORDER BY id) FROM (SELECT id, status, price_cents, assignee_id, organization_id FROM tasks) x) ts, (SELECT count(*) FROM ledger_entries) l`)).rows[0]);
    const before = await snapshot();
    let refused = 0;
    for (const op of writes) {
      const key = `${op.method.toUpperCase()} ${op.path}`;
      const valid = validBody(key);
      expect({ key, hasValidBody: valid !== undefined }).toEqual({ key, hasValidBody: true });
      const path = validPath(op.path, { userId: sessions.assistant.user.id });
      const token = sessions[roleFor(op.method, op.path)].token;
      for (const [field, value] of Object.entries(SMUGGLED)) {
        const body = { ...valid, [field]: value };
        // An admin legitimately chooses the role and the organization of a new user.
        if ((field === 'role' || field === 'organizationId') && key === 'POST /api/users') continue;
        if (field === 'role' && key === 'POST /api/auth/register') body.role = 'admin';
        if (field === 'suspended' && key === 'PATCH /api/users/{id}') continue; // the admin's own field here
        const res = await t.http.request(op.method.toUpperCase(), path, body, { token });
        expect({ key, field, status: res.status, body: res.status === 400 ? '' : res.text.slice(0, 200) }).toEqual({ key, field, status: 400, body: '' });
        refused++;
      }
    }
    expect(await snapshot()).toBe(before);
    console.info(`mass assignment: ${refused} smuggled-field requests on ${writes.length} write routes, all 400, database unchanged`);
  });
  it('refuses NUL, lone surrogates, offsets beyond ±14:00 and numbers past 2^53 in every field and query value of every route: 400 naming it', async () => {
    const SAMPLES = 8;
    interface Probe {
      op: Op;
      field: string;
      kind: string;
      url: string;
      body?: Json;
    }
    const probes: Probe[] = [];
    // The poisons that fit a value: text for text, an offset for a date-time, a number for a number.
    const poisonsFor = (value: unknown): [string, fc.Arbitrary<unknown>][] => {
      if (typeof value === 'number') return [['past 2^53', pastSafeInteger]];
      if (typeof value !== 'string') return [];
      const text: [string, fc.Arbitrary<unknown>][] = [
        ['NUL', withNul],
        ['lone surrogate', loneSurrogate],
      ];
      return /^\d{4}-\d{2}-\d{2}T/.test(value) ? [...text, ['extreme offset', extremeOffset]] : text;
    };
    for (const op of ops) {
      const key = `${op.method.toUpperCase()} ${op.path}`;
      const path = validPath(op.path, { userId: sessions.assistant.user.id, taskId, organizationId: sessions.client.user.organizationId! });
      const valid = validBody(key, taskId);
      for (const [name, value] of Object.entries(valid ?? {})) {
        const inArray = Array.isArray(value);
        for (const [kind, poison] of poisonsFor(inArray ? value[0] : value)) {
          for (const p of fc.sample(poison, { numRuns: SAMPLES, seed: 20261 })) {
            probes.push({ op, field: inArray ? `${name}.0` : name, kind, url: path, body: { ...valid, [name]: inArray ? [p] : p } });
          }
        }
      }
      for (const param of op.params.filter((x) => x.in === 'query')) {
        const schema = param.schema ?? {};
        // Query values are text: a lone surrogate cannot be written in a URL (percent-encoding is UTF-8), so NUL stands for both.
        const kinds: [string, fc.Arbitrary<string>][] = [['NUL', withNul]];
        if (schema.format === 'date-time') kinds.push(['extreme offset', extremeOffset]);
        if (schema.type === 'integer' || schema.type === 'number') kinds.push(['past 2^53', pastSafeIntegerText]);
        for (const [kind, poison] of kinds) {
          for (const p of fc.sample(poison, { numRuns: SAMPLES, seed: 20262 })) {
            probes.push({ op, field: param.name, kind, url: `${path}?${new URLSearchParams({ [param.name]: p }).toString()}` });
          }
        }
      }
    }
    const wrong: string[] = [];
    const byKind: Record<string, number> = {};
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < probes.length) {
          const probe = probes[next++]!;
          const { op } = probe;
          const res = await t.http.request(op.method.toUpperCase(), probe.url, probe.body, {
            token: sessions[roleFor(op.method, op.path)].token,
            signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
          });
          byKind[probe.kind] = (byKind[probe.kind] ?? 0) + 1;
          const message = typeof res.body?.message === 'string' ? (res.body.message as string) : '';
          if (res.status !== 400 || !message.startsWith(`${probe.field} `)) {
            wrong.push(`${op.method.toUpperCase()} ${op.path} ${probe.field} (${probe.kind}) ${JSON.stringify(probe.body?.[probe.field.split('.')[0]!] ?? probe.url)} → ${res.status} ${res.text.slice(0, 160)}`);
          }
        }
      }),
    );
    console.info(`poisoned fields: ${probes.length} requests (${JSON.stringify(byKind)}) over ${new Set(probes.map((p) => `${p.op.method} ${p.op.path} ${p.field}`)).size} fields; ${wrong.length} not a 400 naming the field`);
    expect(wrong.slice(0, 20)).toEqual([]);
    // Every kind reached some field, and every route with a body or a query had a field poisoned.
    expect(Object.keys(byKind).sort()).toEqual(['NUL', 'extreme offset', 'lone surrogate', 'past 2^53']);
    const reached = new Set(probes.map((p) => `${p.op.method} ${p.op.path}`));
    const open = ops.filter((o) => o.body || o.params.some((x) => x.in === 'query')).filter((o) => !reached.has(`${o.method} ${o.path}`));
    // Availability's, the two-factor policy's and a qualification requirement's one field is a boolean, and notification
    // settings are a map of fixed kinds to fixed channels (no named field): nothing to poison.
    expect(open.map((o) => `${o.method} ${o.path}`).sort()).toEqual([
      'put /api/assistants/me/availability',
      'put /api/me/notification-settings',
      'put /api/organizations/{id}/two-factor-policy',
      'put /api/qualifications/{category}',
    ]);
  }, BACKSTOP_MS);
});
