import { withAdminClient } from './support/db.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers 200 when PostgreSQL and Redis answer', async () => {
    const res = await t.http.get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
  });

  it('has a liveness probe that touches nothing', async () => {
    expect((await t.http.get('/api/health/live')).body).toEqual({ status: 'ok' });
  });

  it('stamps every answer with a request id, echoing one the caller sent', async () => {
    const res = await t.http.get('/api/health/live', { headers: { 'x-request-id': 'trace-me-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-me-123');
    expect((await t.http.get('/api/health/live')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.http.get('/api/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/health']));
  });

  it('sends security headers', async () => {
    const res = await t.http.get('/api/health/live');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});

describe('health with Redis unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: the probe must fail fast, not hang.
    t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => t.close());

  it('answers 503 naming redis, with Retry-After', async () => {
    const started = Date.now();
    const res = await t.http.get('/api/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ statusCode: 503, postgres: 'up', redis: 'down', message: 'redis is not answering' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // The probe gives up after 2 s; the bound catches one left waiting on Redis, with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('health with PostgreSQL refusing connections', () => {
  let t: TestApp;
  let dbName: string;
  const setAllowConnections = (allow: boolean) =>
    withAdminClient(async (c) => {
      await c.query(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS ${allow}`);
      if (!allow) await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [dbName]);
    });

  beforeAll(async () => {
    t = await startTestApp();
    dbName = new URL(t.config.databaseUrl).pathname.slice(1);
    await setAllowConnections(false);
  });
  afterAll(async () => {
    await setAllowConnections(true);
    await t.close();
  });

  it('answers 503 naming postgres, and recovers when it is back', async () => {
    const down = await t.http.get('/api/health');
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(down.body).toMatchObject({ postgres: 'down', redis: 'up', message: 'postgres is not answering' });
    await setAllowConnections(true);
    const up = await t.http.get('/api/health');
    expect(up.status).toBe(200);
  });
});
