import { connect, type Socket } from 'node:net';
import { loginAdmin, PASSWORD, registerAssistant, registerClient, type Session } from './support/factories.js';
import { eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Paths = Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;

const fill = (path: string) => path.replace(/\{id\}/g, '00000000-0000-4000-8000-000000000000').replace(/\{category\}/g, 'research').replace(/\{queue\}/g, 'timers');

// Long enough that the normal requests below are answered while every slow connection is still held,
// however slow the machine: so "not stalled" is what the order shows, not a latency bound.
const REQUEST_TIMEOUT_MS = 5_000;

describe('security: resource limits', () => {
  let t: TestApp;
  let admin: Session;
  let client: Session;
  let assistant: Session;
  let paths: Paths;
  /** A list under a resource (a template's versions, a task's messages, an endpoint's deliveries) needs one that exists. */
  let owners: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '4096', REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms`, CONNECTION_TIMEOUT: '10s', TRUST_PROXY: 'false' });
    admin = await loginAdmin(t.http, t.config);
    client = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['research']);
    paths = (await t.http.get('/api/docs-json')).body.paths;
    const templateId = (await t.http.get('/api/templates?scope=starter&limit=1', { token: admin.token })).body.items[0].id;
    const taskId = (await submitTask(t.http, client)).id;
    // The platform's endpoint, so the admin owns it; a public address literal needs no DNS, and no escalation happens here to send it.
    const webhook = await t.http.post('/api/webhooks', { url: 'https://93.184.215.14/limits', events: ['task.escalated'] }, { token: admin.token });
    // A client's schedule on its own template; admins read every organization's.
    const own = await t.http.post('/api/templates', { name: 'Limits', category: 'research', instructions: 'I', deadlineRule: { kind: 'business_hours', hours: 4 } }, { token: client.token });
    const schedule = await t.http.post('/api/schedules', { templateId: own.body.id, rule: { kind: 'daily', time: '09:00', start: new Date().toISOString() } }, { token: client.token });
    owners = { '/api/templates/{id}': templateId, '/api/tasks/{id}': taskId, '/api/webhooks/{id}': webhook.body.id, '/api/schedules/{id}': schedule.body.id };
  });
  afterAll(() => t.close());

  it('answers 413 to an oversized body on every write route, signed in or not', async () => {
    const big = JSON.stringify({ title: 'x'.repeat(5000) });
    let checked = 0;
    for (const [path, ops] of Object.entries(paths)) {
      for (const method of Object.keys(ops).filter((m) => ['post', 'put', 'patch'].includes(m))) {
        for (const token of [undefined, admin.token, client.token]) {
          const res = await t.http.request(method.toUpperCase(), fill(path), undefined, { raw: big, token });
          expect({ method, path, status: res.status }).toEqual({ method, path, status: 413 });
          expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', message: expect.stringMatching(/too large/) });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3 * 15);
  });

  it('refuses limit above 200 (and below 1) on every list that takes one; 200 itself is fine', async () => {
    const lists = Object.entries(paths).filter(([, ops]) => ops.get?.parameters?.some((p) => p.name === 'limit' && p.in === 'query'));
    expect(lists.length).toBeGreaterThanOrEqual(5);
    for (const [path] of lists) {
      // The board is an assistant's; a statement is the client's own (an admin would have to name the organization).
      const token = path === '/api/tasks/available' ? assistant.token : path === '/api/billing/statement' ? client.token : admin.token;
      for (const [limit, want] of [['201', 400], ['100000', 400], ['0', 400], ['-1', 400], ['1.5', 400], ['200', 200]] as const) {
        const owner = Object.keys(owners).find((prefix) => path.startsWith(prefix));
        const url = owner ? path.replace('{id}', owners[owner]!) : fill(path);
        const res = await t.http.get(`${url}?limit=${limit}`, { token });
        expect({ path, limit, status: res.status }).toEqual({ path, limit, status: want });
      }
    }
  });

  it('keeps a slowloris connection from stalling anyone, and cuts it off at REQUEST_TIMEOUT', async () => {
    const url = new URL(t.url);
    const slow: Socket[] = [];
    const closedAt: number[] = [];
    const answers: string[] = [];
    const opened = Date.now();
    // 40 connections that send headers, then trickle the body a byte at a time.
    for (let i = 0; i < 40; i++) {
      const s = connect(Number(url.port), url.hostname);
      s.on('error', () => undefined);
      let answer = '';
      s.on('data', (d) => (answer += d.toString()));
      s.on('close', () => {
        closedAt.push(Date.now() - opened);
        answers.push(answer.split('\r\n')[0] ?? '');
      });
      s.write(`POST /api/auth/login HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n{`);
      slow.push(s);
    }
    const trickle = setInterval(() => slow.forEach((s) => !s.destroyed && s.write(' ')), 200);
    try {
      const latencies: number[] = [];
      const heldWhenAnswered: number[] = [];
      for (let i = 0; i < 10; i++) {
        const start = Date.now();
        const res = await t.http.get('/api/auth/me', { token: client.token });
        latencies.push(Date.now() - start);
        heldWhenAnswered.push(slow.length - closedAt.length);
        expect(res.status).toBe(200);
        await new Promise((r) => setTimeout(r, 50));
      }
      // Answered while all 40 still held their requests open: a server they stalled would answer only once they were cut.
      expect(heldWhenAnswered).toEqual(Array(10).fill(slow.length));
      // Every slow connection is closed by the server, with a 408, once the request deadline has passed.
      await eventually(async () => closedAt.length, (n) => n === slow.length, undefined, 100);
      expect(new Set(answers)).toEqual(new Set(['HTTP/1.1 408 Request Timeout']));
      expect(Math.min(...closedAt)).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 500);
      console.info(`slowloris: 40 trickling connections; normal requests answered in at most ${Math.max(...latencies)} ms; all cut after ${Math.min(...closedAt)}–${Math.max(...closedAt)} ms`);
    } finally {
      clearInterval(trickle);
      slow.forEach((s) => s.destroy());
    }
  });

  it('ignores a spoofed X-Forwarded-For when no proxy is trusted, so it cannot dodge per-address limits', async () => {
    const res = await t.http.post('/api/auth/login', { email: 'x@example.com', password: 'wrong-password' }, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(res.status).toBe(401);
    const keys = await t.redis.keys(`${t.config.redisPrefix}:rl:login:ip:*`);
    expect(keys.some((k) => k.endsWith(':203.0.113.9'))).toBe(false);
  });
});

describe('security: X-Forwarded-For with the default TRUST_PROXY', () => {
  let t: TestApp;
  beforeAll(async () => {
    // TRUST_PROXY is left at its default.
    t = await startTestApp({ REGISTER_RATE_LIMIT: '20', RATE_LIMIT_WINDOW: '10m' });
  });
  afterAll(() => t.close());

  const register = (remoteAddress: string, forwardedFor: string, i: number) =>
    t.app.getHttpAdapter().getInstance().inject({
      method: 'POST',
      url: '/api/auth/register',
      remoteAddress,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      payload: { email: `xff-${i}-${Date.now()}@example.com`, password: PASSWORD, name: 'X', role: 'assistant', skills: ['research'] },
    });

  it('does not let a client on a private network (a LAN, a Docker network) rotate the header past the per-address limit', async () => {
    const statuses: number[] = [];
    // Sent straight from a private address, as any machine on the same network could.
    for (let i = 0; i < 60; i++) statuses.push((await register('172.18.0.5', `203.0.113.${i}`, i)).statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual(Array(40).fill(429));
    console.info(`X-Forwarded-For rotated from 172.18.0.5: ${statuses.filter((s) => s === 201).length} of 60 registrations passed a limit of 20`);
  });

  it('believes a proxy on this machine (loopback), which names the client', async () => {
    expect((await register('127.0.0.1', '198.51.100.77', 100)).statusCode).toBe(201);
    expect(await t.redis.get(`${t.config.redisPrefix}:rl:register:ip:198.51.100.77`)).toBe('1');
  });
});

const IDLE_TIMEOUT_MS = 3_000;

describe('security: idle connections', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CONNECTION_TIMEOUT: `${IDLE_TIMEOUT_MS}ms` });
  });
  afterAll(() => t.close());

  /** A keep-alive connection that asks for the liveness probe `requests` times, `gapMs` apart; resolves with when it closed and how many answers came. */
  function keepAlive(requests: number, gapMs: number): Promise<{ closedAfterLastMs: number; answers: number }> {
    const url = new URL(t.url);
    return new Promise((resolve, reject) => {
      const s = connect(Number(url.port), url.hostname);
      let answers = 0;
      let lastAnswerAt = 0;
      const send = () => s.write(`GET /api/health/live HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n\r\n`);
      s.on('connect', send);
      s.on('data', (chunk) => {
        answers += (chunk.toString().match(/HTTP\/1\.1 200/g) ?? []).length;
        lastAnswerAt = Date.now();
        if (answers < requests) setTimeout(send, gapMs);
      });
      s.on('error', reject);
      s.on('close', () => resolve({ closedAfterLastMs: Date.now() - lastAnswerAt, answers }));
      setTimeout(() => s.destroy(), 60_000).unref();
    });
  }

  it('closes a keep-alive connection left idle for CONNECTION_TIMEOUT, and not one in use', async () => {
    // Busy for 4.8 s, longer than the timeout, in gaps far shorter than it (a slow machine stretches
    // a gap, not by seconds): it stays open throughout.
    const busy = await keepAlive(12, 400);
    expect(busy.answers).toBe(12);
    // Then idle: closed once the timeout has passed (Node adds a second's grace to it), long before the
    // 72 s Fastify defaults to.
    expect(busy.closedAfterLastMs).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 100);
    expect(busy.closedAfterLastMs).toBeLessThan(30_000);
  });
});

describe('security: rate limits hold across two instances sharing Redis', () => {
  let one: TestApp;
  let two: TestApp;
  // A window far longer than the tests, so none of them can straddle two windows on a slow machine.
  const limits = { LOGIN_RATE_LIMIT: '5', REGISTER_RATE_LIMIT: '4', CLAIM_RATE_LIMIT: '6', RATE_LIMIT_WINDOW: '10m', TRUST_PROXY: 'false' };
  let sessions: { client: Session; assistant: Session };
  beforeAll(async () => {
    one = await startTestApp(limits);
    two = await startTestApp(limits, { shareWith: one });
    // Signed in before the limits below are spent, from the same address.
    const admin = await loginAdmin(one.http, one.config);
    const client = await registerClient(one.http);
    const assistant = await registerAssistant(two.http, ['research']);
    await one.http.patch(`/api/users/${assistant.user.id}`, { maxConcurrentTasks: 50 }, { token: admin.token });
    sessions = { client, assistant };
    await one.redis.eval(`for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end`, 0, `${one.config.redisPrefix}:rl:*`);
  });
  afterAll(async () => {
    await two.close();
    await one.close();
  });

  /** Alternate the two instances; answer the statuses in order. */
  async function alternate(n: number, send: (app: TestApp, i: number) => Promise<{ status: number; headers: Headers }>) {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await send(i % 2 ? two : one, i);
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    return statuses;
  }

  it('login: 5 per address and e-mail in total, not 5 per instance', async () => {
    const statuses = await alternate(10, (app) => app.http.post('/api/auth/login', { email: 'target@example.com', password: 'guess-guess-guess' }));
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    console.info(`login limit across 2 instances: ${statuses.filter((s) => s === 429).length} of 10 refused`);
  });

  it('registration: 4 per address in total', async () => {
    const statuses = await alternate(8, (app, i) =>
      app.http.post('/api/auth/register', { email: `rl-${i}-${Date.now()}@example.com`, password: PASSWORD, name: 'R', role: 'assistant', skills: ['research'] }),
    );
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429, 429, 429]);
  });

  it('claim: 6 per assistant in total, counted on both instances', async () => {
    const { client, assistant } = sessions;
    const tasks: { id: string }[] = [];
    for (let i = 0; i < 8; i++) tasks.push(await submitTask(one.http, client, { category: 'research' }));
    const statuses = await alternate(8, (app, i) => app.http.post(`/api/tasks/${tasks[i]!.id}/claim`, undefined, { token: assistant.token }));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it('refresh: 10 × LOGIN_RATE_LIMIT per address in total, refused with the API error shape', async () => {
    const statuses = await alternate(52, (app) => app.http.post('/api/auth/refresh'));
    expect(statuses).toEqual([...Array(50).fill(401), 429, 429]);
    const refused = await two.http.post('/api/auth/refresh');
    const wait = Number(refused.headers.get('retry-after'));
    expect(refused.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: `too many refresh attempts; retry in ${wait} s`, retryAfterSeconds: wait });
    expect(await one.redis.get(`${one.config.redisPrefix}:rl:refresh:ip:127.0.0.1`)).toBe('53');
  });
});
