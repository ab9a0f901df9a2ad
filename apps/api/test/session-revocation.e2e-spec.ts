import { registerClient, refreshCookieOf, refreshSession, signIn, signOut, type SignedIn } from './support/factories.js';
import { eventually } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Kept rows and sessions live a minute here, so a refusal within seconds can only come from the notice.
const LONG = { SESSION_CACHE: '60s' };
// The rule is 2 s; the rest is room for a busy machine. A notice arrives in milliseconds.
const WITHIN_MS = 2_000 + 2_000;

describe('ending a session ends its access tokens, on every instance', () => {
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

  const me = (t: TestApp, token: string) => t.http.get('/api/auth/me', { token }).then((r) => r.status);
  /** Used on both instances, so both keep the user and the session. */
  async function warmed(token: string): Promise<void> {
    expect([await me(a, token), await me(b, token)]).toEqual([200, 200]);
  }
  const refusedOn = (t: TestApp, token: string) => eventually(() => me(t, token), (status) => status === 401, WITHIN_MS);

  async function session(): Promise<SignedIn> {
    const c = await registerClient(a.http);
    return signIn(a.http, c.user.email);
  }

  it('signing out refuses that session’s access token at once where it happened and within the bound elsewhere', async () => {
    const s = await session();
    const other = await signIn(a.http, s.user.email);
    await warmed(s.token);
    await warmed(other.token);

    await signOut(a.http, s);
    expect(await me(a, s.token)).toBe(401);
    expect(await refusedOn(b, s.token)).toBe(401);
    // The same user's other sign-in is a session of its own and carries on.
    expect([await me(a, other.token), await me(b, other.token)]).toEqual([200, 200]);
  });

  it('every access token of the session is refused, not only the newest', async () => {
    const first = await session();
    const second = await refreshSession(a.http, first);
    await warmed(first.token);
    await warmed(second.token);
    await signOut(b.http, second);
    for (const token of [first.token, second.token]) {
      expect(await me(b, token)).toBe(401);
      expect(await refusedOn(a, token)).toBe(401);
    }
  });

  it('a reused refresh token ends the session’s access tokens, the thief’s and the owner’s', async () => {
    const stolen = await session();
    const owner = await refreshSession(a.http, stolen);
    await warmed(stolen.token);
    await warmed(owner.token);

    // The old cookie presented again: someone else holds it, so the whole family ends.
    const reuse = await a.http.post('/api/auth/refresh', undefined, { headers: { cookie: stolen.cookie } });
    expect(reuse.status).toBe(401);
    expect(refreshCookieOf(reuse)).toBe('handoff_refresh=');
    for (const token of [owner.token, stolen.token]) {
      expect(await me(a, token)).toBe(401);
      expect(await refusedOn(b, token)).toBe(401);
    }
    // And the owner's current cookie no longer refreshes either.
    expect((await a.http.post('/api/auth/refresh', undefined, { headers: { cookie: owner.cookie } })).status).toBe(401);
  });

  it('a revocation made straight in the database is pushed too', async () => {
    const s = await session();
    await warmed(s.token);
    await a.db.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [s.user.id]);
    for (const t of [a, b]) expect(await refusedOn(t, s.token)).toBe(401);
  });
});
