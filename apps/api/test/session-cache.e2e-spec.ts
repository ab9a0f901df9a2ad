import { loginAdmin, registerAssistant, type Session } from './support/factories.js';
import { eventually } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Each instance reuses a signed-in user's row for SESSION_CACHE. An hour here, so that a
// refusal seen within the wait below can only have come from the change being pushed.
const LONG = { SESSION_CACHE: '1h' };
// A notice arrives in milliseconds; the wait is long for a loaded machine and still far below the lifetime.
const PUSHED_WITHIN_MS = 30_000;

describe('session cache: changes reach every instance at commit', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp(LONG);
    b = await startTestApp(LONG, { shareWith: a });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const me = (t: TestApp, s: Session) => t.http.get('/api/auth/me', { token: s.token }).then((r) => r.status);
  /** Signed in on both instances, so both hold the row. */
  async function warmed(): Promise<Session> {
    const s = await registerAssistant(a.http);
    expect([await me(a, s), await me(b, s)]).toEqual([200, 200]);
    return s;
  }
  const refusedOn = (t: TestApp, s: Session) => eventually(() => me(t, s), (status) => status === 401, PUSHED_WITHIN_MS);

  it('a suspension through instance A is refused on A at once and on B within moments', async () => {
    const admin = await loginAdmin(a.http, a.config);
    const s = await warmed();
    expect((await a.http.patch(`/api/users/${s.user.id}`, { suspended: true }, { token: admin.token })).status).toBe(200);
    expect(await me(a, s)).toBe(401);
    expect(await refusedOn(b, s)).toBe(401);
  });

  it('changes made straight in the database (delete, revoked token version, role) are pushed too', async () => {
    const deleted = await warmed();
    const revoked = await warmed();
    const demoted = await warmed();
    await a.db.query(`DELETE FROM users WHERE id = $1`, [deleted.user.id]);
    await a.db.query(`UPDATE users SET token_version = token_version + 1 WHERE id = $1`, [revoked.user.id]);
    await a.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [demoted.user.id]);
    for (const s of [deleted, revoked, demoted]) {
      for (const t of [a, b]) expect(await refusedOn(t, s)).toBe(401);
    }
  });

  it('after the listening connection is cut, nothing kept from before is trusted, and pushing resumes once it is back', async () => {
    const s = await warmed();
    const listeners = async () =>
      (await a.db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'handoff-sessions' ORDER BY pid`)).rows.map((r) => r.pid);
    const before = await listeners();
    expect(before).toHaveLength(2);
    // Changes made while the notice cannot arrive: the trigger is off and the listeners are gone.
    await a.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'handoff-sessions' AND datname = current_database()`);
    await a.db.query(`ALTER TABLE users DISABLE TRIGGER users_session_updated`);
    try {
      await a.db.query(`UPDATE users SET suspended = true WHERE id = $1`, [s.user.id]);
      expect(await refusedOn(a, s)).toBe(401);
      expect(await refusedOn(b, s)).toBe(401);
    } finally {
      await a.db.query(`ALTER TABLE users ENABLE TRIGGER users_session_updated`);
    }
    const after = await eventually(listeners, (pids) => pids.length === 2 && pids.every((p) => !before.includes(p)));
    expect(after).toHaveLength(2);
    const next = await warmed();
    await a.db.query(`UPDATE users SET suspended = true WHERE id = $1`, [next.user.id]);
    expect(await refusedOn(b, next)).toBe(401);
  });
});

describe('session cache: the lifetime bounds a change nobody announced', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SESSION_CACHE: '1s' });
  });
  afterAll(() => t.close());

  /** Suspend the user where no notice announces it (the trigger off), as a change the cache cannot hear of. */
  async function unannounced(db: TestApp['db'], userId: string, check: () => Promise<void>) {
    await db.query(`ALTER TABLE users DISABLE TRIGGER users_session_updated`);
    try {
      await db.query(`UPDATE users SET suspended = true WHERE id = $1`, [userId]);
      await check();
    } finally {
      await db.query(`ALTER TABLE users ENABLE TRIGGER users_session_updated`);
    }
  }

  it('with the trigger off, a kept row is used while SESSION_CACHE lasts', async () => {
    // An hour, so no slowness of the machine can let it run out between the two requests.
    const kept = await startTestApp({ SESSION_CACHE: '1h' }, { shareWith: t });
    try {
      const s = await registerAssistant(kept.http);
      expect((await kept.http.get('/api/auth/me', { token: s.token })).status).toBe(200);
      // The kept row says "not suspended": this is what the trigger exists to prevent.
      await unannounced(kept.db, s.user.id, async () => expect((await kept.http.get('/api/auth/me', { token: s.token })).status).toBe(200));
    } finally {
      await kept.close();
    }
  });

  it('with the trigger off, the row is read again once SESSION_CACHE runs out', async () => {
    const s = await registerAssistant(t.http);
    expect((await t.http.get('/api/auth/me', { token: s.token })).status).toBe(200);
    await unannounced(t.db, s.user.id, async () => {
      await eventually(() => t.http.get('/api/auth/me', { token: s.token }).then((r) => r.status), (status) => status === 401);
    });
  });

  it('SESSION_CACHE=0 reads the row on every request', async () => {
    const off = await startTestApp({ SESSION_CACHE: '0' }, { shareWith: t });
    try {
      const s = await registerAssistant(off.http);
      expect((await off.http.get('/api/auth/me', { token: s.token })).status).toBe(200);
      await t.db.query(`ALTER TABLE users DISABLE TRIGGER users_session_updated`);
      try {
        await t.db.query(`UPDATE users SET suspended = true WHERE id = $1`, [s.user.id]);
        expect((await off.http.get('/api/auth/me', { token: s.token })).status).toBe(401);
      } finally {
        await t.db.query(`ALTER TABLE users ENABLE TRIGGER users_session_updated`);
      }
    } finally {
      await off.close();
    }
  });
});
