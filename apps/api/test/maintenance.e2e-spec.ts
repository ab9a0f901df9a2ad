import { Maintenance } from '../src/maintenance/maintenance.service.js';
import { registerClient } from './support/factories.js';
import { taskBody } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('maintenance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('forgets idempotency keys after 24 h and refresh tokens a day after they expired, and keeps the rest', async () => {
    const client = await registerClient(t.http);
    for (const key of ['old-key', 'fresh-key']) {
      expect((await t.http.post('/api/tasks', taskBody(), { token: client.token, headers: { 'idempotency-key': key } })).status).toBe(201);
    }
    await t.db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-key'`);
    // Registration issued one refresh token; add a long-expired one beside it.
    await t.db.query(
      `INSERT INTO refresh_tokens (family_id, user_id, token_hash, token_version, expires_at)
       VALUES (gen_random_uuid(), $1, 'expired-token-hash', 0, now() - interval '2 days')`,
      [client.user.id],
    );
    const swept = await t.app.get(Maintenance).sweep();
    expect(swept).toEqual({ idempotencyKeys: 1, refreshTokens: 1 });
    const keys = await t.db.query(`SELECT key FROM idempotency_keys`);
    expect(keys.rows.map((r: { key: string }) => r.key)).toEqual(['fresh-key']);
    const tokens = await t.db.query(`SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1`, [client.user.id]);
    expect(tokens.rows[0].n).toBe(1);
    // Once forgotten, the old key may be used again and creates a new task.
    const again = await t.http.post('/api/tasks', taskBody(), { token: client.token, headers: { 'idempotency-key': 'old-key' } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
  });
});
