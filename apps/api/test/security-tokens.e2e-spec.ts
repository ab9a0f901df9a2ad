import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { loginAdmin, PASSWORD, registerAssistant, registerClient, type Session } from './support/factories.js';
import { LiveClient } from './support/sockets.js';
import { eventually } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);
/** The session id a genuine token carries, so a crafted one differs only in what its test is about. */
const sidOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid;

/** The refresh cookie a response set, as `name=value`, plus its attributes. */
function refreshCookie(res: { headers: Headers }): { pair: string; value: string; attrs: string } | null {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('handoff_refresh='));
  if (!line) return null;
  const [pair, ...rest] = line.split('; ');
  return { pair: pair!, value: pair!.slice('handoff_refresh='.length), attrs: rest.join('; ') };
}

describe('security: tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const secret = () => new TextEncoder().encode(t.config.jwtSecret);
  const claims = (s: Session, extra: Record<string, unknown> = {}) => ({ sub: s.user.id, role: s.user.role, tv: 0, sid: sidOf(s.token), iss: 'handoff', aud: 'handoff-api', iat: nowS(), exp: nowS() + 600, ...extra });

  async function expectRefused(token: string, what: string) {
    const res = await t.http.get('/api/auth/me', { token });
    expect({ what, status: res.status }).toEqual({ what, status: 401 });
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    await expect(LiveClient.connect(t.url, token)).rejects.toThrow(/unauthorized/);
  }

  describe('access tokens that must not pass, on HTTP and at the socket handshake', () => {
    let c: Session;
    beforeAll(async () => {
      c = await registerClient(t.http);
    });

    it('accepts the genuine token on both (the control)', async () => {
      expect((await t.http.get('/api/auth/me', { token: c.token })).status).toBe(200);
      (await LiveClient.connect(t.url, c.token)).close();
    });

    it('alg none, with and without a signature', async () => {
      await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(c))}.`, 'none');
      await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(c))}.${c.token.split('.')[2]}`, 'none+sig');
    });

    it('a wrong algorithm: HS512 with our own secret, and RS256 signed with a key of its own', async () => {
      const hs512 = await new SignJWT({ role: 'client', tv: 0, sid: sidOf(c.token) }).setProtectedHeader({ alg: 'HS512' }).setSubject(c.user.id).setIssuer('handoff').setAudience('handoff-api').setExpirationTime('5m').sign(secret());
      await expectRefused(hs512, 'HS512');
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const rs256 = await new SignJWT({ role: 'client', tv: 0, sid: sidOf(c.token) }).setProtectedHeader({ alg: 'RS256' }).setSubject(c.user.id).setIssuer('handoff').setAudience('handoff-api').setExpirationTime('5m').sign(privateKey);
      await expectRefused(rs256, 'RS256');
    });

    it('a tampered payload: role flipped to admin, signature kept', async () => {
      const [header, payload, sig] = c.token.split('.');
      const flipped = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' };
      await expectRefused(`${header}.${b64(flipped)}.${sig}`, 'tampered');
      // Even correctly signed, a role the database does not hold is refused.
      const signedLie = await new SignJWT({ role: 'admin', tv: 0, sid: sidOf(c.token) }).setProtectedHeader({ alg: 'HS256' }).setSubject(c.user.id).setIssuer('handoff').setAudience('handoff-api').setExpirationTime('5m').sign(secret());
      await expectRefused(signedLie, 'signed role lie');
    });

    it('expired, wrong issuer, wrong audience', async () => {
      const base = () => new SignJWT({ role: 'client', tv: 0, sid: sidOf(c.token) }).setProtectedHeader({ alg: 'HS256' }).setSubject(c.user.id);
      await expectRefused(await base().setIssuer('handoff').setAudience('handoff-api').setIssuedAt(nowS() - 120).setExpirationTime(nowS() - 1).sign(secret()), 'expired');
      await expectRefused(await base().setIssuer('someone-else').setAudience('handoff-api').setExpirationTime('5m').sign(secret()), 'issuer');
      await expectRefused(await base().setIssuer('handoff').setAudience('other-api').setExpirationTime('5m').sign(secret()), 'audience');
    });

    it('a token accepted before is refused once it expires, and a tampered copy of it never passes', async () => {
      // Five seconds (at least four, exp is in whole seconds) for its first request to be accepted, even on a loaded machine.
      const short = await new SignJWT({ role: 'client', tv: 0, sid: sidOf(c.token) }).setProtectedHeader({ alg: 'HS256' }).setSubject(c.user.id).setIssuer('handoff').setAudience('handoff-api').setExpirationTime(nowS() + 5).sign(secret());
      // Accepted (and from now on kept as verified by this process)...
      expect((await t.http.get('/api/auth/me', { token: short })).status).toBe(200);
      const [header, payload, sig] = short.split('.');
      const flipped = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' };
      await expectRefused(`${header}.${b64(flipped)}.${sig}`, 'tampered copy of an accepted token');
      // ...and refused once its exp has passed.
      await eventually(() => t.http.get('/api/auth/me', { token: short }).then((r) => r.status), (status) => status === 401, undefined, 200);
      await expectRefused(short, 'expired after being accepted');
    });

    it('a session id that is missing, malformed, unknown or another user’s', async () => {
      const sign = (sid: unknown) =>
        new SignJWT({ role: 'client', tv: 0, ...(sid === undefined ? {} : { sid }) }).setProtectedHeader({ alg: 'HS256' }).setSubject(c.user.id).setIssuer('handoff').setAudience('handoff-api').setExpirationTime('5m').sign(secret());
      await expectRefused(await sign(undefined), 'no session');
      await expectRefused(await sign('not-a-uuid'), 'malformed session');
      await expectRefused(await sign('00000000-0000-4000-8000-000000000000'), 'unknown session');
      const someoneElse = await registerClient(t.http);
      await expectRefused(await sign(sidOf(someoneElse.token)), 'another user’s session');
      // The control: the same claims with the token's own session pass.
      expect((await t.http.get('/api/auth/me', { token: await sign(sidOf(c.token)) })).status).toBe(200);
    });

    it('a suspended user’s token, and a deleted user’s', async () => {
      const admin = await loginAdmin(t.http, t.config);
      const a = await registerAssistant(t.http);
      expect((await t.http.patch(`/api/users/${a.user.id}`, { suspended: true }, { token: admin.token })).status).toBe(200);
      await expectRefused(a.token, 'suspended');

      const gone = await registerAssistant(t.http);
      await t.db.query(`DELETE FROM users WHERE id = $1`, [gone.user.id]);
      await expectRefused(gone.token, 'deleted');
    });
  });

  describe('refresh sessions', () => {
    it('login and register set an httpOnly, SameSite=Strict cookie scoped to /api/auth, not Secure unless configured', async () => {
      const reg = await t.http.post('/api/auth/register', { email: `r-${Date.now()}@example.com`, password: PASSWORD, name: 'R', role: 'assistant', skills: ['research'] });
      const login = await t.http.post('/api/auth/login', { email: reg.body.user.email, password: PASSWORD });
      for (const res of [reg, login]) {
        const cookie = refreshCookie(res)!;
        expect(cookie.value).toMatch(/^[\w-]{43}$/);
        expect(cookie.attrs).toMatch(/Path=\/api\/auth/);
        expect(cookie.attrs).toMatch(/HttpOnly/);
        expect(cookie.attrs).toMatch(/SameSite=Strict/);
        expect(cookie.attrs).not.toMatch(/Secure/);
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
      // Only a hash is stored: the raw value appears nowhere in the table.
      const rows = await t.db.query(`SELECT token_hash FROM refresh_tokens WHERE user_id = $1`, [reg.body.user.id]);
      expect(rows.rowCount).toBe(2);
      expect(JSON.stringify(rows.rows)).not.toContain(refreshCookie(login)!.value);
    });

    it('marks the cookie Secure when COOKIE_SECURE is on', async () => {
      const secure = await startTestApp({ COOKIE_SECURE: 'true' }, { shareWith: t });
      try {
        const c = await registerClient(t.http);
        const res = await secure.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD });
        expect(refreshCookie(res)!.attrs).toMatch(/; Secure/);
      } finally {
        await secure.close();
      }
    });

    it('rotates on every use: a new working access token and a new cookie each time', async () => {
      const c = await registerClient(t.http);
      let cookie = refreshCookie(await t.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD }))!;
      const seen = new Set([cookie.value]);
      for (let i = 0; i < 3; i++) {
        const res = await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: cookie.pair } });
        expect(res.status).toBe(200);
        expect(res.body.user.id).toBe(c.user.id);
        expect((await t.http.get('/api/auth/me', { token: res.body.accessToken })).status).toBe(200);
        cookie = refreshCookie(res)!;
        expect(seen.has(cookie.value)).toBe(false);
        seen.add(cookie.value);
      }
      const family = await t.db.query(`SELECT count(DISTINCT family_id)::int AS families, count(*)::int AS n FROM refresh_tokens WHERE user_id = $1`, [c.user.id]);
      expect(family.rows[0]).toEqual({ families: 2, n: 5 }); // register + login families; login's rotated 3 times
    });

    it('reuse of a rotated token revokes the whole family, the thief’s and the owner’s copies alike', async () => {
      const c = await registerClient(t.http);
      const first = refreshCookie(await t.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD }))!;
      const second = refreshCookie(await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: first.pair } }))!;
      const replay = await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: first.pair } });
      expect(replay.status).toBe(401);
      expect(refreshCookie(replay)!.attrs).toMatch(/Max-Age=0/);
      expect((await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: second.pair } })).status).toBe(401);
      // Other sign-ins of the same user are separate families and keep working.
      const other = refreshCookie(await t.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD }))!;
      expect((await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: other.pair } })).status).toBe(200);
    });

    it('two concurrent uses of one token: exactly one rotation wins', async () => {
      const c = await registerClient(t.http);
      const cookie = refreshCookie(await t.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD }))!;
      const results = await Promise.all([1, 2].map(() => t.http.post('/api/auth/refresh', undefined, { headers: { cookie: cookie.pair } })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('logout ends the session and clears the cookie', async () => {
      const c = await registerClient(t.http);
      const cookie = refreshCookie(await t.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD }))!;
      const out = await t.http.post('/api/auth/logout', undefined, { headers: { cookie: cookie.pair } });
      expect(out.status).toBe(204);
      expect(refreshCookie(out)!.attrs).toMatch(/Max-Age=0; Expires=Thu, 01 Jan 1970/);
      expect((await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: cookie.pair } })).status).toBe(401);
      // Logging out without a cookie is harmless.
      expect((await t.http.post('/api/auth/logout')).status).toBe(204);
    });

    it('refuses an expired refresh token, a missing or made-up one, and a suspended user’s', async () => {
      const c = await registerClient(t.http);
      const cookie = refreshCookie(await t.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD }))!;
      await t.db.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [c.user.id]);
      const expired = await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: cookie.pair } });
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'the session has ended; sign in again' });

      expect((await t.http.post('/api/auth/refresh')).status).toBe(401);
      expect((await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: 'handoff_refresh=made-up' } })).status).toBe(401);

      const admin = await loginAdmin(t.http, t.config);
      const a = await registerAssistant(t.http);
      const aCookie = refreshCookie(await t.http.post('/api/auth/login', { email: a.user.email, password: PASSWORD }))!;
      await t.http.patch(`/api/users/${a.user.id}`, { suspended: true }, { token: admin.token });
      expect((await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: aCookie.pair } })).status).toBe(401);
      // Reinstating does not bring the old session back: suspension ended it for good.
      await t.http.patch(`/api/users/${a.user.id}`, { suspended: false }, { token: admin.token });
      expect((await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: aCookie.pair } })).status).toBe(401);
    });

    it('refuses refresh and logout from a cross-site origin', async () => {
      const c = await registerClient(t.http);
      const cookie = refreshCookie(await t.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD }))!;
      const headers = { cookie: cookie.pair, origin: 'https://evil.example' };
      expect((await t.http.post('/api/auth/refresh', undefined, { headers })).status).toBe(403);
      expect((await t.http.post('/api/auth/logout', undefined, { headers })).status).toBe(403);
      // Neither touched the session.
      expect((await t.http.post('/api/auth/refresh', undefined, { headers: { cookie: cookie.pair, origin: t.url } })).status).toBe(200);
    });
  });
});
