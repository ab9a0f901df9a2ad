import { getQueueToken } from '@nestjs/bullmq';
import { QUEUES } from '@handoff/contracts';
import type { Queue } from 'bullmq';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const BOARD = '/api/admin/jobs';

describe('admin: the jobs board', () => {
  let t: TestApp;
  let admin: Session;
  let client: Session;
  let assistant: Session;
  let adminCookie: string;

  beforeAll(async () => {
    t = await startTestApp();
    const login = await t.http.post('/api/auth/login', { email: t.config.admin.email, password: t.config.admin.password });
    const line = login.headers.getSetCookie().find((c) => c.startsWith('handoff_jobs='))!;
    expect(line).toMatch(/; Path=\/api\/admin\/jobs; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    adminCookie = line.split(';')[0]!;
    admin = await loginAdmin(t.http, t.config);
    client = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['research']);
  });
  afterAll(() => t.close());

  it("lists the app's queues, under its Redis prefix, as the board's API answers them to an admin", async () => {
    const res = await t.http.get(`${BOARD}/api/queues`, { token: admin.token });
    expect(res.status).toBe(200);
    const queues = res.body.queues as { name: string; readOnlyMode: boolean }[];
    expect(queues.map((q) => q.name).sort()).toEqual([...QUEUES].sort());
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
    // A job of this app (far in the future, so nothing runs it) shows on the board and sits under the app's prefix.
    const timers = t.app.get<Queue>(getQueueToken('timers'), { strict: false });
    await timers.add('timers.deadline', { taskId: '00000000-0000-4000-8000-000000000000' }, { jobId: 'board-probe', delay: 3_600_000 });
    expect(await t.redis.exists(`${t.config.redisPrefix}:timers:board-probe`)).toBe(1);
    const delayed = await t.http.get(`${BOARD}/api/queues?activeQueue=timers&status=delayed`, { token: admin.token });
    const listed = (delayed.body.queues as { name: string; jobs: { id: string }[] }[]).find((q) => q.name === 'timers')!;
    expect(listed.jobs.map((j) => j.id)).toContain('board-probe');
    await timers.remove('board-probe');
  });

  it('refuses clients and assistants (403) and anonymous or bad tokens (401), in the API error shape', async () => {
    for (const s of [client, assistant]) {
      for (const path of [BOARD, `${BOARD}/api/queues`]) {
        const res = await t.http.get(path, { token: s.token });
        expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'only admin users may do this' } });
      }
    }
    for (const path of [BOARD, `${BOARD}/api/queues`, `${BOARD}/static/favicon.ico`]) {
      const res = await t.http.get(path);
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'a bearer token is required' } });
    }
    expect((await t.http.get(`${BOARD}/api/queues`, { token: 'not-a-token' })).status).toBe(401);
    expect((await t.http.get(`${BOARD}/api/queues`, { headers: { cookie: 'handoff_jobs=not-a-token' } })).status).toBe(401);
  });

  it('sets the board cookie only for admins', async () => {
    const res = await t.http.post('/api/auth/login', { email: client.user.email, password: 'correct-horse-battery' });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('handoff_jobs='))).toBe(false);
  });

  it('serves an admin following a plain link (the cookie) its page and assets from this server alone', async () => {
    const page = await t.http.get(BOARD, { headers: { cookie: adminCookie, accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain(`<base href="${BOARD}/"`);
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const assets = [...page.text.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      const res = await t.http.get(`${BOARD}/${asset}`, { headers: { cookie: adminCookie } });
      expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
    }
    expect((await t.http.get(`${BOARD}/api/queues`, { headers: { cookie: adminCookie } })).status).toBe(200);
  });

  it('is read-only: an action on a queue is refused, and an unknown queue is a 404, never a 500', async () => {
    const retry = await t.http.put(`${BOARD}/api/queues/timers/retry/failed`, undefined, { token: admin.token });
    expect(retry.status).toBe(405);
    const unknown = await t.http.get(`${BOARD}/api/queues/nope/jobs?status=failed`, { token: admin.token });
    expect(unknown.status).toBe(404);
    const badJob = await t.http.get(`${BOARD}/api/queues/timers/%00/job`, { token: admin.token });
    expect(badJob.status).toBeLessThan(500);
  });

  it('clears the board cookie on sign-out', async () => {
    const res = await t.http.post('/api/auth/logout');
    expect(res.headers.getSetCookie().find((c) => c.startsWith('handoff_jobs='))).toMatch(/^handoff_jobs=; Path=\/api\/admin\/jobs; Max-Age=0/);
  });

  it('answers 503 with Retry-After while Redis is away, never a 500', async () => {
    // The same database and signing key, with nothing listening where its Redis should be.
    const away = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' }, { shareWith: t });
    try {
      const res = await away.http.get(`${BOARD}/api/queues/timers/jobs?status=failed`, { token: admin.token });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect((await away.http.get(`${BOARD}/api/queues`, { token: admin.token })).status).not.toBe(500);
    } finally {
      await away.close();
    }
  });
});
