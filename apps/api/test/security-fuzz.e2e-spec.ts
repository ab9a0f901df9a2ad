import AjvModule from 'ajv';
import fc from 'fast-check';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { act, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Json = Record<string, any>;
// ajv is CommonJS; under native ESM its class sits on `default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
type Validate = (data: unknown) => boolean;
interface Op {
  method: string;
  path: string;
  params: { name: string; in: string }[];
  body?: Json;
  success: Record<string, Json | undefined>;
}

// The app and the fuzzer share one event loop (~500 requests/s), so 1,000 per endpoint takes about
// a minute; FUZZ_PER_ENDPOINT lowers it for a quick local loop.
const PER_ENDPOINT = Number(process.env.FUZZ_PER_ENDPOINT ?? 1000);
const CONCURRENCY = 16;
const STACK = /at .*\.(js|ts):\d+/;
const SQL = /(SELECT|INSERT|UPDATE) .* FROM|syntax error|QueryFailedError|violates .* constraint|relation "/i;
const INTERNAL = ['passwordHash', 'password_hash', 'tokenVersion', 'token_version', 'request_hash', 'token_hash'];
const SMUGGLED = { role: 'admin', organizationId: '00000000-0000-4000-8000-000000000001', priceCents: 1, status: 'accepted', assigneeId: '00000000-0000-4000-8000-000000000002', suspended: true };

/** OpenAPI 3.0's `nullable: true` is not JSON Schema; spell it as a type union for the validator. */
function nullableToType(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nullableToType);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, nullableToType(v)]));
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

/** The role that may call a route, so the fuzz reaches validation rather than the role check. */
function roleFor(method: string, path: string): 'admin' | 'client' | 'assistant' {
  if (/\/tasks\/(available|claim-next)$|\/tasks\/\{id\}\/(claim|start|release|return)$|availability$|\/billing\/earnings$/.test(path)) return 'assistant';
  if (/\/tasks\/quote$|\/tasks\/\{id\}\/(accept|revise)$|\/billing\/statement$/.test(path) || (method === 'post' && path === '/api/tasks')) return 'client';
  return 'admin';
}

const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 5000, maxLength: 60_000 }),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 1 }), { maxKeys: 4 }),
  fc.constantFrom('', ' ', '\u0000', '💥'.repeat(100), '<script>alert(1)</script>', "' OR 1=1 --", '../../etc/passwd', '9'.repeat(400), '-1', 'NaN', '1e309', '{}', '[]'),
);

const badUuid = fc.oneof(
  fc.string({ maxLength: 60 }),
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
  const query = fc.dictionary(fc.oneof(fc.constantFrom(...queryNames, 'limit', 'cursor', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('201', '-5', 'abc', '1e3', '%ff', 'x'.repeat(500))), { maxKeys: 3 });
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
  const sessions = {} as Record<'admin' | 'client' | 'assistant', Session>;
  const ajv = new Ajv({ allErrors: false });

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'silent' });
    sessions.admin = await loginAdmin(t.http, t.config);
    sessions.client = await registerClient(t.http);
    sessions.assistant = await registerAssistant(t.http, ['data_entry', 'research']);
    // Some data so lists and reads have something to (not) expose.
    const task = await submitTask(t.http, sessions.client);
    await act(t.http, sessions.assistant, task.id, 'claim');
    doc = (await t.http.get('/api/docs-json')).body;
    ops = Object.entries(doc.paths as Json).flatMap(([path, byMethod]) =>
      Object.entries(byMethod as Json).map(([method, op]) => ({
        method,
        path,
        params: (op.parameters ?? []) as Op['params'],
        body: op.requestBody?.content?.['application/json']?.schema,
        success: Object.fromEntries(Object.entries(op.responses as Json).filter(([code]) => code.startsWith('2')).map(([code, r]) => [code, (r as Json).content?.['application/json']?.schema])),
      })),
    );
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
          const res = await t.http.request(op.method.toUpperCase(), url, undefined, { raw: payload, headers });
          sent++;
          byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
          const where = `${op.method.toUpperCase()} ${url.slice(0, 120)} → ${res.status}`;
          if (res.status >= 500) failures.push(`${where}: ${res.text.slice(0, 200)}`);
          if (STACK.test(res.text) || SQL.test(res.text)) failures.push(`${where}: leaks ${res.text.slice(0, 200)}`);
          if (INTERNAL.some((f) => res.text.includes(f))) failures.push(`${where}: internal field`);
          if (res.status >= 400) {
            const b = res.body as Json;
            if (!b || typeof b.message !== 'string' || typeof b.error !== 'string' || b.statusCode !== res.status) failures.push(`${where}: not the error shape: ${res.text.slice(0, 200)}`);
          } else if (res.status !== 204) {
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
  }, 180_000);

  it('refuses smuggled role, organizationId, priceCents, status, assigneeId and suspended on every write route, and changes nothing', async () => {
    const valid: Record<string, unknown> = {
      'POST /api/auth/register': { email: 'smuggle@example.com', password: 'correct-horse-battery', name: 'S', role: 'client', organizationName: 'S Org' },
      'POST /api/auth/login': { email: 'smuggle@example.com', password: 'correct-horse-battery' },
      'POST /api/users': { email: 'smuggle2@example.com', password: 'correct-horse-battery', name: 'S', role: 'assistant', skills: ['research'] },
      'PATCH /api/users/{id}': { maxConcurrentTasks: 4 },
      'PUT /api/assistants/me/availability': { online: true },
      'PUT /api/rate-card/{category}': { basePriceCents: 2000 },
      'POST /api/tasks/quote': { category: 'research', priority: 'normal' },
      'POST /api/tasks': { title: 'T', instructions: 'I', category: 'research', deadline: new Date(Date.now() + 86_400_000).toISOString() },
      'POST /api/tasks/{id}/return': { result: 'R' },
      'POST /api/tasks/{id}/revise': { feedback: 'F' },
      'POST /api/billing/adjustments': { taskId: '00000000-0000-4000-8000-000000000000', kind: 'adjustment', amountCents: 1, reason: 'r' },
      'POST /api/admin/queues/{queue}/retry': { jobIds: ['no-such-job'] },
    };
    const writes = ops.filter((o) => o.body && ['post', 'put', 'patch'].includes(o.method));
    const snapshot = async () => JSON.stringify((await t.db.query(`SELECT (SELECT count(*) FROM users) u, (SELECT count(*) FROM tasks) t, (SELECT json_agg(r ORDER BY category) FROM rate_card r) rc, (SELECT json_agg(x ORDER BY id) FROM (SELECT id, role, organization_id, suspended, max_concurrent_tasks, online FROM users) x) us, (SELECT json_agg(x ORDER BY id) FROM (SELECT id, status, price_cents, assignee_id, organization_id FROM tasks) x) ts, (SELECT count(*) FROM ledger_entries) l`)).rows[0]);
    const before = await snapshot();
    let refused = 0;
    for (const op of writes) {
      const key = `${op.method.toUpperCase()} ${op.path}`;
      expect({ key, hasValidBody: key in valid }).toEqual({ key, hasValidBody: true });
      const path = op.path.replace('{id}', op.path.startsWith('/api/users') ? sessions.assistant.user.id : '00000000-0000-4000-8000-000000000000').replace('{category}', 'research').replace('{queue}', 'timers');
      const token = sessions[roleFor(op.method, op.path)].token;
      for (const [field, value] of Object.entries(SMUGGLED)) {
        const body = { ...(valid[key] as Json), [field]: value };
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
});
