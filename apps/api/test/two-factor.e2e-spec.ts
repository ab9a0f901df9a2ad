import type { AuthResponse } from '@handoff/contracts';
import { codeAt, timeStepAt, TOTP } from '../src/auth/two-factor/totp.js';
import { addMember, loginAdmin, PASSWORD, refreshCookieOf, registerAssistant, registerClient, type Session } from './support/factories.js';
import type { HttpClient } from './support/http.js';
import { LiveClient } from './support/sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { deviceCookieOf, enrolTwoFactor, nextCode, type Authenticator } from './support/two-factor.js';

const ENROL_FIRST = 'two_factor_enrollment_required';

/** A client with two-factor sign-in on, and what its authenticator app knows. */
async function enrolledClient(t: TestApp): Promise<Session & { app: Authenticator }> {
  const c = await registerClient(t.http);
  const app = await enrolTwoFactor(t.http, c.token, t.config.databaseUrl, c.user.email);
  return { ...c, app };
}

const login = (http: HttpClient, email: string, opts: { cookie?: string; from?: string; password?: string } = {}) =>
  http.post('/api/auth/login', { email, password: opts.password ?? PASSWORD }, { headers: { ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(opts.from ? { 'x-forwarded-for': opts.from } : {}) } });

const second = (http: HttpClient, body: Record<string, unknown>, from?: string) => http.post<AuthResponse & { message?: string }>('/api/auth/login/two-factor', body, from ? { headers: { 'x-forwarded-for': from } } : {});

describe('two-factor sign-in', () => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
  });
  afterAll(() => t.close());

  describe('enrolment', () => {
    it('starts with a sealed pending secret, confirms with a code and answers ten recovery codes once', async () => {
      const c = await registerClient(t.http);
      expect((await t.http.get('/api/auth/two-factor', { token: c.token })).body).toEqual({ enabled: false, pending: false, required: false, requiredBy: null, enabledAt: null, recoveryCodesLeft: 0 });
      const started = await t.http.post('/api/auth/two-factor/enrolment', undefined, { token: c.token });
      expect(started.status).toBe(201);
      expect(started.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Handoff:.+\?secret=[A-Z2-7]+&issuer=Handoff&algorithm=SHA1&digits=6&period=30$/);
      expect(started.body.qrSvg).toMatch(/^<svg [^>]*viewBox=/);
      // At rest the secret is an AES-GCM envelope, never the base32 text.
      const stored = await t.db.query(`SELECT secret_sealed, enabled_at FROM user_two_factor WHERE user_id = $1`, [c.user.id]);
      expect(stored.rows[0].secret_sealed).toMatch(/^v1\.test\./);
      expect(stored.rows[0].secret_sealed).not.toContain(started.body.secret);
      expect(stored.rows[0].enabled_at).toBeNull();
      expect((await t.http.get('/api/auth/two-factor', { token: c.token })).body).toMatchObject({ enabled: false, pending: true });

      const app: Authenticator = { secret: started.body.secret, lastStep: null, recoveryCodes: [] };
      const wrong = await t.http.post('/api/auth/two-factor/enrolment/confirm', { code: codeAt(app.secret, Date.now() + 10 * 60_000) }, { token: c.token });
      expect(wrong.status).toBe(422);
      expect(wrong.body.message).toBe('code is wrong or expired');
      const confirmed = await t.http.post('/api/auth/two-factor/enrolment/confirm', { code: await nextCode(app) }, { token: c.token });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.recoveryCodes).toHaveLength(10);
      for (const code of confirmed.body.recoveryCodes) expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
      // Only their HMACs are kept.
      const hashes = (await t.db.query(`SELECT code_hash FROM two_factor_recovery_codes WHERE user_id = $1`, [c.user.id])).rows.map((r) => r.code_hash as string);
      expect(hashes).toHaveLength(10);
      for (const code of confirmed.body.recoveryCodes) expect(hashes.join()).not.toContain(code.replace(/-/g, ''));
      expect((await t.http.get('/api/auth/two-factor', { token: c.token })).body).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 });

      const again = await t.http.post('/api/auth/two-factor/enrolment', undefined, { token: c.token });
      expect(again.status).toBe(409);
      expect((await t.http.post('/api/auth/two-factor/enrolment/confirm', { code: await nextCode(app) }, { token: c.token })).status).toBe(409);
    });

    it('confirms nothing without a started enrolment (409)', async () => {
      const c = await registerClient(t.http);
      const res = await t.http.post('/api/auth/two-factor/enrolment/confirm', { code: '123456' }, { token: c.token });
      expect(res.status).toBe(409);
      expect(res.body.status).toBe('none');
    });
  });

  describe('signing in', () => {
    it('answers a challenge without a session, then a session for a code; the same code is refused a second time', async () => {
      const c = await enrolledClient(t);
      const first = await login(t.http, c.user.email);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ twoFactorRequired: true, challengeToken: expect.any(String), expiresIn: 300 });
      expect(refreshCookieOf(first)).toBeNull();
      expect((await t.http.get('/api/auth/me', { token: first.body.challengeToken })).status).toBe(401);

      const code = await nextCode(c.app);
      const ok = await second(t.http, { challengeToken: first.body.challengeToken, code });
      expect(ok.status).toBe(200);
      expect(ok.body.user.id).toBe(c.user.id);
      expect(refreshCookieOf(ok)).toMatch(/^handoff_refresh=/);
      expect(deviceCookieOf(ok)).toBeNull();
      expect((await t.http.get('/api/auth/me', { token: ok.body.accessToken })).status).toBe(200);

      const replay = await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, code });
      expect(replay.status).toBe(401);
      expect(replay.body.message).toBe('code is wrong, expired or used already');
      // An earlier step than the last one used is refused as well, though still inside the window.
      const earlier = codeAt(c.app.secret, (c.app.lastStep! - 1) * TOTP.periodSeconds * 1000);
      expect((await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, code: earlier })).status).toBe(401);
    });

    it('accepts one code once when it is sent twice at the same moment', async () => {
      const c = await enrolledClient(t);
      const [a, b] = await Promise.all([login(t.http, c.user.email), login(t.http, c.user.email)]);
      const code = await nextCode(c.app);
      const answers = await Promise.all([second(t.http, { challengeToken: a.body.challengeToken, code }), second(t.http, { challengeToken: b.body.challengeToken, code })]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('takes each recovery code once, in any spelling', async () => {
      const c = await enrolledClient(t);
      const [code] = c.app.recoveryCodes;
      const ok = await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, recoveryCode: ` ${code!.toLowerCase().replace(/-/g, ' ')} ` });
      expect(ok.status).toBe(200);
      const again = await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, recoveryCode: code });
      expect(again.status).toBe(401);
      expect(again.body.message).toBe('recoveryCode is wrong, expired or used already');
      expect((await t.http.get('/api/auth/two-factor', { token: ok.body.accessToken })).body.recoveryCodesLeft).toBe(9);
    });

    it('refuses a forged, altered or expired challenge, and one from before a password change', async () => {
      const c = await enrolledClient(t);
      const { challengeToken } = (await login(t.http, c.user.email)).body as { challengeToken: string };
      const [payload, sig] = challengeToken.split('.') as [string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const altered = `${Buffer.from(JSON.stringify({ ...claims, u: admin.user.id })).toString('base64url')}.${sig}`;
      for (const token of ['garbage', altered, `${payload}.${sig}x`]) {
        // Refused before any code is looked at, so no code is used up.
        expect((await second(t.http, { challengeToken: token, code: '123456' })).status).toBe(401);
      }
      // The first step's proof of the password does not outlive the password.
      const s = await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, code: await nextCode(c.app) });
      expect((await t.http.put('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a-new-horse-battery' }, { token: s.body.accessToken })).status).toBe(200);
      const stale = await second(t.http, { challengeToken, code: await nextCode(c.app) });
      expect(stale.status).toBe(401);
      expect(stale.body.message).toBe('the sign-in has expired; sign in again');
    });
  });

  describe('remembered devices', () => {
    async function remembered(c: Session & { app: Authenticator }) {
      const res = await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, code: await nextCode(c.app), rememberDevice: true });
      expect(res.status).toBe(200);
      const line = res.headers.getSetCookie().find((l) => l.startsWith('handoff_device='))!;
      expect(line).toMatch(/; Path=\/api\/auth\/login; Max-Age=2592000; HttpOnly; SameSite=Strict$/);
      return { session: res.body, cookie: deviceCookieOf(res)! };
    }

    it('skips the second step on that browser only, until it expires', async () => {
      const c = await enrolledClient(t);
      const { cookie } = await remembered(c);
      const skipped = await login(t.http, c.user.email, { cookie });
      expect(skipped.status).toBe(200);
      expect(skipped.body.accessToken).toEqual(expect.any(String));
      expect((await login(t.http, c.user.email)).body.twoFactorRequired).toBe(true);
      // Another account's remembered device does not count for this one.
      const other = await enrolledClient(t);
      expect((await login(t.http, other.user.email, { cookie })).body.twoFactorRequired).toBe(true);
      await t.db.query(`UPDATE two_factor_devices SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [c.user.id]);
      expect((await login(t.http, c.user.email, { cookie })).body.twoFactorRequired).toBe(true);
    });

    it('is forgotten when the password changes, ending every session too', async () => {
      const c = await enrolledClient(t);
      const { session, cookie } = await remembered(c);
      const wrong = await t.http.put('/api/auth/password', { currentPassword: 'not-the-password', newPassword: 'a-new-horse-battery' }, { token: session.accessToken });
      expect(wrong.status).toBe(422);
      expect(wrong.body.message).toBe('currentPassword is wrong');
      const changed = await t.http.put('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a-new-horse-battery' }, { token: session.accessToken });
      expect(changed.status).toBe(200);
      expect(refreshCookieOf(changed)).toMatch(/^handoff_refresh=/);
      expect((await t.http.get('/api/auth/me', { token: session.accessToken })).status).toBe(401);
      expect((await t.http.get('/api/auth/me', { token: changed.body.accessToken })).status).toBe(200);
      expect((await login(t.http, c.user.email, { cookie })).status).toBe(401);
      const fresh = await login(t.http, c.user.email, { cookie, password: 'a-new-horse-battery' });
      expect(fresh.body.twoFactorRequired).toBe(true);
    });

    it('is forgotten when the user is suspended, and when two-factor sign-in is turned off', async () => {
      const c = await enrolledClient(t);
      const { cookie } = await remembered(c);
      await t.http.patch(`/api/users/${c.user.id}`, { suspended: true }, { token: admin.token });
      await t.http.patch(`/api/users/${c.user.id}`, { suspended: false }, { token: admin.token });
      expect((await login(t.http, c.user.email, { cookie })).body.twoFactorRequired).toBe(true);

      const d = await enrolledClient(t);
      const kept = await remembered(d);
      const off = await t.http.post('/api/auth/two-factor/disable', { password: PASSWORD, code: await nextCode(d.app) }, { token: kept.session.accessToken });
      expect(off.status).toBe(204);
      expect((await t.db.query(`SELECT count(*)::int AS n FROM two_factor_devices WHERE user_id = $1`, [d.user.id])).rows[0].n).toBe(0);
      const again = await enrolTwoFactor(t.http, kept.session.accessToken, t.config.databaseUrl, d.user.email);
      expect(again.secret).not.toBe(d.app.secret);
      expect((await login(t.http, d.user.email, { cookie: kept.cookie })).body.twoFactorRequired).toBe(true);
    });
  });

  describe('recovery codes and turning it off', () => {
    it('regenerates recovery codes for a current code only; the old ones stop working', async () => {
      const c = await enrolledClient(t);
      expect((await t.http.post('/api/auth/two-factor/recovery-codes', { code: codeAt(c.app.secret, Date.now() + 10 * 60_000) }, { token: c.token })).status).toBe(422);
      const fresh = await t.http.post('/api/auth/two-factor/recovery-codes', { code: await nextCode(c.app) }, { token: c.token });
      expect(fresh.status).toBe(200);
      expect(fresh.body.recoveryCodes).toHaveLength(10);
      expect(fresh.body.recoveryCodes).not.toContain(c.app.recoveryCodes[0]);
      expect((await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, recoveryCode: c.app.recoveryCodes[0] })).status).toBe(401);
      expect((await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, recoveryCode: fresh.body.recoveryCodes[0] })).status).toBe(200);
    });

    it('turns off with the password and a code (or a recovery code), and then signs in with the password alone', async () => {
      const c = await enrolledClient(t);
      expect((await t.http.post('/api/auth/two-factor/disable', { password: 'not-the-password', code: await nextCode(c.app) }, { token: c.token })).status).toBe(422);
      expect((await t.http.post('/api/auth/two-factor/disable', { password: PASSWORD, code: codeAt(c.app.secret, Date.now() + 10 * 60_000) }, { token: c.token })).status).toBe(422);
      const off = await t.http.post('/api/auth/two-factor/disable', { password: PASSWORD, recoveryCode: c.app.recoveryCodes[1] }, { token: c.token });
      expect(off.status).toBe(204);
      expect((await t.db.query(`SELECT (SELECT count(*) FROM user_two_factor WHERE user_id = $1)::int AS s, (SELECT count(*) FROM two_factor_recovery_codes WHERE user_id = $1)::int AS r`, [c.user.id])).rows[0]).toEqual({ s: 0, r: 0 });
      expect((await login(t.http, c.user.email)).body.accessToken).toEqual(expect.any(String));
      expect((await t.http.post('/api/auth/two-factor/disable', { password: PASSWORD, code: '123456' }, { token: c.token })).status).toBe(409);
    });
  });

  describe('the audit trail', () => {
    const trailOf = async (targetId: string) =>
      (await t.http.get<{ items: { action: string; actorId: string; targetId: string; details: Record<string, unknown> }[] }>('/api/admin/audit?action=two_factor.*&limit=200', { token: admin.token })).body.items
        .filter((r) => r.targetId === targetId)
        .reverse();

    it('records turning it on, new recovery codes, each spent recovery code, a policy change and turning it off, with who did it', async () => {
      const c = await enrolledClient(t);
      await t.http.post('/api/auth/two-factor/recovery-codes', { code: await nextCode(c.app) }, { token: c.token }).then((r) => expect(r.status).toBe(200));
      const fresh = (await t.http.post('/api/auth/two-factor/recovery-codes', { code: await nextCode(c.app) }, { token: c.token })).body.recoveryCodes as string[];
      expect((await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, recoveryCode: fresh[0] })).status).toBe(200);
      // A wrong recovery code spends nothing and writes nothing.
      expect((await second(t.http, { challengeToken: (await login(t.http, c.user.email)).body.challengeToken, recoveryCode: fresh[0] })).status).toBe(401);
      const orgId = c.user.organizationId!;
      expect((await t.http.put(`/api/organizations/${orgId}/two-factor-policy`, { requireTwoFactor: true }, { token: c.token })).status).toBe(200);
      expect((await t.http.put(`/api/organizations/${orgId}/two-factor-policy`, { requireTwoFactor: false }, { token: admin.token })).status).toBe(200);
      expect((await t.http.post('/api/auth/two-factor/disable', { password: PASSWORD, code: await nextCode(c.app) }, { token: c.token })).status).toBe(204);

      expect((await trailOf(c.user.id)).map((r) => ({ action: r.action, actorId: r.actorId, details: r.details }))).toEqual([
        { action: 'two_factor.enable', actorId: c.user.id, details: { recoveryCodes: 10 } },
        { action: 'two_factor.recovery_codes', actorId: c.user.id, details: { recoveryCodes: 10 } },
        { action: 'two_factor.recovery_codes', actorId: c.user.id, details: { recoveryCodes: 10 } },
        { action: 'two_factor.recovery_code_used', actorId: c.user.id, details: { remaining: 9 } },
        { action: 'two_factor.disable', actorId: c.user.id, details: {} },
      ]);
      expect((await trailOf(orgId)).map((r) => ({ action: r.action, actorId: r.actorId, details: r.details }))).toEqual([
        { action: 'two_factor.policy', actorId: c.user.id, details: { requireTwoFactor: true } },
        { action: 'two_factor.policy', actorId: admin.user.id, details: { requireTwoFactor: false } },
      ]);
    });
  });

  describe('required for admins', () => {
    it('lets a new admin sign in, holds every other route at 403 until enrolled, and never lets it turn off', async () => {
      const email = `admin-${Date.now()}@example.com`;
      expect((await t.http.post('/api/users', { email, password: PASSWORD, name: 'New Admin', role: 'admin' }, { token: admin.token })).status).toBe(201);
      const first = await login(t.http, email);
      expect(first.status).toBe(200);
      const token = first.body.accessToken as string;
      for (const path of ['/api/tasks', '/api/users', '/api/admin/queues', '/api/organizations/00000000-0000-4000-8000-000000000000/two-factor-policy']) {
        const held = await t.http.get(path, { token });
        expect({ path, status: held.status, code: held.body.code }).toEqual({ path, status: 403, code: ENROL_FIRST });
      }
      expect((await t.http.put('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a-new-horse-battery' }, { token })).body.code).toBe(ENROL_FIRST);
      expect((await t.http.get('/api/auth/me', { token })).status).toBe(200);
      expect((await t.http.get('/api/auth/two-factor', { token })).body).toMatchObject({ enabled: false, required: true, requiredBy: 'role' });
      await expect(LiveClient.connect(t.url, token)).rejects.toThrow(/^two_factor_enrollment_required/);
      const app = await enrolTwoFactor(t.http, token, t.config.databaseUrl, email);
      const live = await LiveClient.connect(t.url, token);
      live.close();
      // The same access token works at once: the guard reads the account's state, not the token's.
      expect((await t.http.get('/api/tasks', { token })).status).toBe(200);
      const off = await t.http.post('/api/auth/two-factor/disable', { password: PASSWORD, code: await nextCode(app) }, { token });
      expect(off.status).toBe(403);
      expect(off.body).toMatchObject({ code: 'two_factor_required', message: 'two-factor sign-in is required for admins' });
      expect((await login(t.http, email)).body.twoFactorRequired).toBe(true);
    });

    it('leaves clients and assistants free to go without', async () => {
      const a = await registerAssistant(t.http);
      expect((await t.http.get('/api/tasks/available', { token: a.token })).status).toBe(200);
      expect((await t.http.get('/api/auth/two-factor', { token: a.token })).body).toMatchObject({ required: false, requiredBy: null });
    });
  });

  describe('organization policy', () => {
    it("is set by the organization's client or an admin; members without a second factor are held at enrolment and may not turn it off", async () => {
      const owner = await enrolledClient(t);
      const member = await addMember(t.http, admin, owner);
      const orgId = owner.user.organizationId!;
      expect((await t.http.get(`/api/organizations/${orgId}/two-factor-policy`, { token: owner.token })).body).toEqual({ organizationId: orgId, requireTwoFactor: false });
      const set = await t.http.put(`/api/organizations/${orgId}/two-factor-policy`, { requireTwoFactor: true }, { token: owner.token });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ organizationId: orgId, requireTwoFactor: true });
      expect((await t.db.query(`SELECT require_two_factor FROM organizations WHERE id = $1`, [orgId])).rows[0].require_two_factor).toBe(true);

      const held = await t.http.get('/api/tasks', { token: member.token });
      expect({ status: held.status, code: held.body.code }).toEqual({ status: 403, code: ENROL_FIRST });
      expect((await t.http.get('/api/auth/two-factor', { token: member.token })).body).toMatchObject({ required: true, requiredBy: 'organization' });
      expect((await t.http.get('/api/tasks', { token: owner.token })).status).toBe(200);
      const app = await enrolTwoFactor(t.http, member.token, t.config.databaseUrl, member.user.email);
      expect((await t.http.get('/api/tasks', { token: member.token })).status).toBe(200);
      const off = await t.http.post('/api/auth/two-factor/disable', { password: PASSWORD, code: await nextCode(app) }, { token: member.token });
      expect(off.body).toMatchObject({ statusCode: 403, code: 'two_factor_required', message: 'your organization requires two-factor sign-in' });

      // An admin may change it too; then members may go without again.
      expect((await t.http.put(`/api/organizations/${orgId}/two-factor-policy`, { requireTwoFactor: false }, { token: admin.token })).body.requireTwoFactor).toBe(false);
      expect((await t.http.post('/api/auth/two-factor/disable', { password: PASSWORD, code: await nextCode(app) }, { token: member.token })).status).toBe(204);
    });

    it('answers 404 to another organization and 403 to assistants, and 400 naming the field', async () => {
      const owner = await registerClient(t.http);
      const stranger = await registerClient(t.http);
      const assistant = await registerAssistant(t.http);
      const path = `/api/organizations/${owner.user.organizationId}/two-factor-policy`;
      for (const [method, body] of [['GET', undefined], ['PUT', { requireTwoFactor: true }]] as const) {
        expect((await t.http.request(method, path, body, { token: stranger.token })).status).toBe(404);
        expect((await t.http.request(method, path, body, { token: assistant.token })).status).toBe(403);
        expect((await t.http.request(method, path, body)).status).toBe(401);
        expect((await t.http.request(method, '/api/organizations/00000000-0000-4000-8000-000000000000/two-factor-policy', body, { token: admin.token })).status).toBe(404);
        const badId = await t.http.request(method, '/api/organizations/nope/two-factor-policy', body, { token: admin.token });
        expect({ status: badId.status, message: badId.body.message }).toEqual({ status: 400, message: 'id must be a UUID' });
      }
      expect((await t.db.query(`SELECT require_two_factor FROM organizations WHERE id = $1`, [owner.user.organizationId])).rows[0].require_two_factor).toBe(false);
      for (const [body, message] of [
        [{}, 'requireTwoFactor is required'],
        [{ requireTwoFactor: 'yes' }, 'requireTwoFactor must be true or false'],
        [{ requireTwoFactor: true, organizationId: owner.user.organizationId }, 'organizationId is not allowed'],
      ] as const) {
        const res = await t.http.put(path, body, { token: owner.token });
        expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message });
      }
    });
  });

  describe('bad input and wrong callers', () => {
    it('answers 400 naming the field on every new route', async () => {
      const c = await registerClient(t.http);
      const cases: [string, string, unknown, string][] = [
        ['POST', '/api/auth/login/two-factor', { challengeToken: 'x' }, 'code or recoveryCode is required'],
        ['POST', '/api/auth/login/two-factor', { code: '123456' }, 'challengeToken is required'],
        ['POST', '/api/auth/login/two-factor', { challengeToken: 'x', code: '12345a' }, 'code must be the 6-digit code from the authenticator app'],
        ['POST', '/api/auth/login/two-factor', { challengeToken: 'x', code: '123456', recoveryCode: 'AAAA' }, 'recoveryCode is not allowed together with code'],
        ['POST', '/api/auth/login/two-factor', { challengeToken: 'x', code: '123456', rememberDevice: 'yes' }, 'rememberDevice must be true or false'],
        ['POST', '/api/auth/login/two-factor', { challengeToken: 'x\u0000', code: '123456' }, 'challengeToken must not contain the NUL character (U+0000)'],
        ['POST', '/api/auth/two-factor/enrolment/confirm', {}, 'code is required'],
        ['POST', '/api/auth/two-factor/enrolment/confirm', { code: 123456 }, 'code must be a string'],
        ['POST', '/api/auth/two-factor/recovery-codes', {}, 'code or recoveryCode is required'],
        ['POST', '/api/auth/two-factor/recovery-codes', { recoveryCode: 'x'.repeat(65) }, 'recoveryCode must be at most 64 characters'],
        ['POST', '/api/auth/two-factor/disable', { code: '123456' }, 'password is required'],
        ['POST', '/api/auth/two-factor/disable', { password: PASSWORD }, 'code or recoveryCode is required'],
        ['PUT', '/api/auth/password', { currentPassword: PASSWORD, newPassword: 'short' }, 'newPassword must be at least 10 characters'],
        ['PUT', '/api/auth/password', { newPassword: 'long-enough-password' }, 'currentPassword is required'],
      ];
      for (const [method, path, body, message] of cases) {
        const res = await t.http.request(method, path, body, { token: c.token });
        expect({ path, status: res.status, message: res.body.message }).toEqual({ path, status: 400, message });
      }
    });

    it('answers 401 without a token on every signed-in two-factor route', async () => {
      for (const [method, path] of [
        ['GET', '/api/auth/two-factor'],
        ['POST', '/api/auth/two-factor/enrolment'],
        ['POST', '/api/auth/two-factor/enrolment/confirm'],
        ['POST', '/api/auth/two-factor/recovery-codes'],
        ['POST', '/api/auth/two-factor/disable'],
        ['PUT', '/api/auth/password'],
      ] as const) {
        expect({ path, status: (await t.http.request(method, path, method === 'GET' ? undefined : { code: '123456' })).status }).toEqual({ path, status: 401 });
      }
    });
  });
});

describe('two-factor sign-in: throttling the second factor', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_RATE_LIMIT: '3', LOGIN_ADDRESS_LIMIT: '5' });
  });
  afterAll(() => t.close());

  const wrongCode = (app: Authenticator) => codeAt(app.secret, (timeStepAt() + 20) * TOTP.periodSeconds * 1000);

  it('refuses an address after LOGIN_RATE_LIMIT wrong codes for the account, even the right code, with counters apart from the password', async () => {
    const c = await enrolledClient(t);
    const from = '203.0.113.20';
    const challenge = async () => (await login(t.http, c.user.email, { from })).body.challengeToken as string;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await second(t.http, { challengeToken: await challenge(), code: wrongCode(c.app) }, from)).status);
    expect(statuses).toEqual([401, 401, 401]);
    // The password still works from there (its own counters), but the second step is closed.
    const token = await challenge();
    const limited = await second(t.http, { challengeToken: token, code: await nextCode(c.app) }, from);
    expect(limited.status).toBe(429);
    expect(limited.body.message).toMatch(/^too many failed sign-ins; retry in \d+ s$/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected by this pair's limit.
    const elsewhere = '203.0.113.21';
    const ok = await second(t.http, { challengeToken: (await login(t.http, c.user.email, { from: elsewhere })).body.challengeToken, code: await nextCode(c.app) }, elsewhere);
    expect(ok.status).toBe(200);
  });

  it('refuses an address after LOGIN_ADDRESS_LIMIT wrong codes over many accounts', async () => {
    const from = '203.0.113.30';
    const accounts = await Promise.all([enrolledClient(t), enrolledClient(t), enrolledClient(t)]);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c = accounts[i % 3]!;
      statuses.push((await second(t.http, { challengeToken: (await login(t.http, c.user.email, { from })).body.challengeToken, code: wrongCode(c.app) }, from)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const c = accounts[2]!;
    expect((await second(t.http, { challengeToken: (await login(t.http, c.user.email, { from })).body.challengeToken, code: await nextCode(c.app) }, from)).status).toBe(429);
  });

  it('counts wrong codes on the signed-in routes too, so a stolen session cannot guess its way to new recovery codes', async () => {
    const c = await enrolledClient(t);
    const from = '203.0.113.40';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.http.post('/api/auth/two-factor/recovery-codes', { code: wrongCode(c.app) }, { token: c.token, headers: { 'x-forwarded-for': from } })).status);
    expect(statuses).toEqual([422, 422, 422, 429]);
  });
});
