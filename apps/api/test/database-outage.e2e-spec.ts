import { getDataSourceToken } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { toErrorResponse } from '../src/common/http/error-filter.js';
import { DownloadLinks, downloadLinkKey } from '../src/files/download-links.js';
import { withAdminClient } from './support/db.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import type { Res } from './support/http.js';
import { documentedOps, roleFor, validBody, validPath, type Op } from './support/routes.js';
import { act, eventually, submitTask, taskBody } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** End every connection the API holds to its database; with `refuse`, new ones are turned away until allowed again. */
async function cut(dbName: string, opts: { refuse?: boolean } = {}): Promise<number> {
  return withAdminClient(async (c) => {
    if (opts.refuse) await c.query(`ALTER DATABASE ${pg.escapeIdentifier(dbName)} WITH ALLOW_CONNECTIONS false`);
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'handoff' AND pid <> pg_backend_pid()`,
      [dbName],
    );
    return rows[0]!.n;
  });
}
const allow = (dbName: string) => withAdminClient((c) => c.query(`ALTER DATABASE ${pg.escapeIdentifier(dbName)} WITH ALLOW_CONNECTIONS true`));

function expectUnavailable(what: string, res: Res): void {
  expect({ what, status: res.status, retryAfter: Number(res.headers.get('retry-after')) > 0, statusCode: res.body?.statusCode }).toEqual({ what, status: 503, retryAfter: true, statusCode: 503 });
}

describe('database outage: every answer is a 503 with Retry-After', () => {
  let t: TestApp;
  let client: Session;
  let assistant: Session;
  let admin: Session;
  let ops: Op[];
  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'silent' });
    client = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['research']);
    admin = await loginAdmin(t.http, t.config);
    ({ ops } = await documentedOps(t.http));
  });
  afterAll(async () => {
    await allow(t.databaseName);
    await t.close();
  });

  it('answers every documented route that reads or writes with 503 and Retry-After while PostgreSQL refuses connections', async () => {
    const task = await submitTask(t.http, client, { category: 'research' });
    expect((await act(t.http, assistant, task.id, 'claim')).status).toBe(200);
    const sessions = { admin, client, assistant };
    const links = new DownloadLinks(downloadLinkKey(t.config.jwtSecret));
    // Routes that answer without the database: the liveness probe, refresh and logout without a cookie, and
    // the second sign-in step with a challenge that is not one (its HMAC is checked before anything is read).
    const offline = new Set(['get /api/health/live', 'post /api/auth/refresh', 'post /api/auth/logout', 'post /api/auth/login/two-factor']);
    await cut(t.databaseName, { refuse: true });
    try {
      let checked = 0;
      for (const op of ops.filter((o) => !offline.has(`${o.method} ${o.path}`))) {
        const key = `${op.method.toUpperCase()} ${op.path}`;
        let path = validPath(op.path, { userId: assistant.user.id, taskId: task.id, organizationId: client.user.organizationId! });
        // A well-signed link, so the download gets past its signature check to the file's row.
        if (key === 'GET /api/files/download') path += `?token=${encodeURIComponent(links.signDownload(`${task.id}:${assistant.user.id}`, 60_000))}`;
        const body = validBody(key, task.id);
        const headers = key === 'POST /api/tasks' || key === 'POST /api/billing/adjustments' ? { 'idempotency-key': `outage-${checked}` } : undefined;
        expectUnavailable(key, await t.http.request(op.method.toUpperCase(), path, body, { token: sessions[roleFor(op.method, op.path)].token, headers }));
        checked++;
      }
      // A submit without a key goes through the gathered statement rather than a transaction of its own.
      expectUnavailable('POST /api/tasks without a key', await t.http.post('/api/tasks', taskBody(), { token: client.token }));
      expect(checked).toBe(ops.length - offline.size);
    } finally {
      await allow(t.databaseName);
    }
    await eventually(() => t.http.get('/api/tasks', { token: client.token }), (r) => r.status === 200, undefined, 100);
  });

  it('answers idempotent submits 201 or 503 with Retry-After while connections die mid-transaction, and a retry of each key makes exactly one task', async () => {
    const org = await registerClient(t.http);
    const keys = Array.from({ length: 120 }, (_, i) => `cut-${i}`);
    // A retry sends the same body: the same deadline too, or the key would be refused as reused for another request.
    const bodies = new Map(keys.map((key) => [key, taskBody({ title: `Cut ${key}` })]));
    const submit = (key: string) => t.http.post('/api/tasks', bodies.get(key), { token: org.token, headers: { 'idempotency-key': key } });
    let cuts = 0;
    let stop = false;
    // Connections end between the statements of the key's transaction as well as inside them.
    const killing = (async () => {
      while (!stop) {
        cuts += await cut(t.databaseName);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const first = await Promise.all(keys.map(submit));
    stop = true;
    await killing;

    const statuses = first.map((r) => r.status);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    for (const r of first.filter((x) => x.status === 503)) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    // The client retries each key until it is answered; an answer lost with its commit is replayed, not made again.
    const retried = await Promise.all(keys.map((key) => eventually(() => submit(key), (r) => r.status === 201, undefined, 100)));
    first.forEach((r, i) => r.status === 201 && expect(retried[i]!.body.id).toBe(r.body.id));
    const { rows } = await t.db.query<{ title: string; n: number }>(`SELECT title, count(*)::int AS n FROM tasks WHERE organization_id = $1 GROUP BY title`, [org.user.organizationId]);
    expect(rows.length).toBe(keys.length);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    console.info(`idempotent submits under connection loss: ${cuts} backends ended; first answers ${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 503).length} × 503; after retries ${rows.length} tasks, one per key`);
    // Some answers were refused, or the cuts missed every transaction and this proved nothing.
    expect(statuses).toContain(503);
  }, 120_000);

  it('answers 503 with Retry-After when no connection frees up within the pool wait', async () => {
    const small = await startTestApp({ LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: '1' }, { shareWith: t });
    const org = await registerClient(small.http);
    const hold = new pg.Client({ connectionString: t.config.databaseUrl });
    await hold.connect();
    try {
      // The organization's row held: a submit's insert waits on it, holding the pool's one connection.
      await hold.query('BEGIN');
      await hold.query(`SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE`, [org.user.organizationId]);
      const stuck = small.http.post('/api/tasks', taskBody(), { token: org.token, headers: { 'idempotency-key': 'pool-wait' } });
      await eventually(async () => (await t.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0].n, (n) => n >= 1, undefined, 20);
      expectUnavailable('GET /api/tasks waiting for a connection', await small.http.get('/api/tasks', { token: org.token }));
      await hold.query('COMMIT');
      expect((await stuck).status).toBe(201);
    } finally {
      await hold.end();
      await small.close();
    }
  }, 60_000);

  it('counts an error of a transaction whose connection ended between statements as the database being unavailable', async () => {
    const ds = t.app.get<DataSource>(getDataSourceToken());
    const thrown = await ds
      .transaction(async (m) => {
        const [backend] = (await m.query(`SELECT pg_backend_pid() AS pid`)) as { pid: number }[];
        await withAdminClient((c) => c.query(`SELECT pg_terminate_backend($1)`, [backend!.pid]));
        // node-postgres hears the connection end and TypeORM releases the runner; the next statement finds it gone.
        await eventually(async () => m.queryRunner?.isReleased ?? false, (released) => released, undefined, 10);
        await m.query(`SELECT 1`);
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(thrown).toBeInstanceOf(Error);
    expect({ name: (thrown as Error).name, answer: toErrorResponse(thrown) }).toEqual({
      name: 'QueryRunnerProviderAlreadyReleasedError',
      answer: { statusCode: 503, error: 'Service Unavailable', message: 'the database is unavailable; retry shortly' },
    });
  });
});
