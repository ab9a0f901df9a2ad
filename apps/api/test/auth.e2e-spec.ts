import { SignJWT } from 'jose';
import { loginAdmin, PASSWORD, registerAssistant, registerClient } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('accounts and roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('register, login, me', () => {
    it('registers a client with its organization and signs it in', async () => {
      const res = await t.http.post('/api/auth/register', {
        email: 'Owner@Example.com',
        password: PASSWORD,
        name: 'Olive Owner',
        role: 'client',
        organizationName: 'Olive Bakery',
      });
      expect(res.status).toBe(201);
      expect(res.body.accessToken).toEqual(expect.any(String));
      expect(res.body.user).toMatchObject({ email: 'owner@example.com', role: 'client', organizationName: 'Olive Bakery', suspended: false });
      expect(res.body.user).not.toHaveProperty('passwordHash');
      expect(res.body.user).not.toHaveProperty('skills');

      const me = await t.http.get('/api/auth/me', { token: res.body.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(res.body.user.id);

      const login = await t.http.post('/api/auth/login', { email: 'OWNER@example.com', password: PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.user.id).toBe(res.body.user.id);
    });

    it('registers an assistant with skills and the default capacity', async () => {
      const a = await registerAssistant(t.http, ['bookkeeping', 'payroll', 'bookkeeping']);
      expect(a.user).toMatchObject({ role: 'assistant', skills: ['bookkeeping', 'payroll'], maxConcurrentTasks: 3, online: false });
      expect(a.user.organizationId).toBeNull();
    });

    it('signs the admin in from the seeded credentials', async () => {
      const admin = await loginAdmin(t.http, t.config);
      expect(admin.user.role).toBe('admin');
      const me = await t.http.get('/api/auth/me', { token: admin.token });
      expect(me.body.role).toBe('admin');
    });

    it('treats e-mails case-insensitively and keeps them unique', async () => {
      await registerClient(t.http, { email: 'dup@example.com' });
      const again = await t.http.post('/api/auth/register', {
        email: 'DUP@EXAMPLE.COM',
        password: PASSWORD,
        name: 'Dup',
        role: 'assistant',
        skills: ['research'],
      });
      expect(again.status).toBe(409);
      expect(again.body.message).toBe('email is already registered');
    });

    it('answers 401 on a wrong password and on an unknown e-mail, with the same message', async () => {
      const c = await registerClient(t.http);
      const wrong = await t.http.post('/api/auth/login', { email: c.user.email, password: 'not-the-password' });
      const unknown = await t.http.post('/api/auth/login', { email: 'nobody@example.com', password: 'not-the-password' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.message).toBe(unknown.body.message);
    });
  });

  describe('tokens', () => {
    it('answers 401 without a token, with a malformed one and with a forged one', async () => {
      expect((await t.http.get('/api/auth/me')).status).toBe(401);
      expect((await t.http.get('/api/auth/me', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      const c = await registerClient(t.http);
      const forged = await new SignJWT({ role: 'admin', tv: 0 })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(c.user.id)
        .setIssuer('handoff')
        .setAudience('handoff-api')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('some-other-secret-that-is-long-enough-0000'));
      expect((await t.http.get('/api/auth/me', { token: forged })).status).toBe(401);
    });

    it('refuses alg none and an expired token', async () => {
      const c = await registerClient(t.http);
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: c.user.id, role: 'client', tv: 0, iss: 'handoff', aud: 'handoff-api', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
      expect((await t.http.get('/api/auth/me', { token: none })).status).toBe(401);
      const expired = await new SignJWT({ role: 'client', tv: 0 })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(c.user.id)
        .setIssuer('handoff')
        .setAudience('handoff-api')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(new TextEncoder().encode(t.config.jwtSecret));
      expect((await t.http.get('/api/auth/me', { token: expired })).status).toBe(401);
    });
  });

  describe('roles and suspension', () => {
    it('keeps clients and assistants off admin routes (403) and lets admins in', async () => {
      const c = await registerClient(t.http);
      const a = await registerAssistant(t.http);
      const admin = await loginAdmin(t.http, t.config);
      for (const s of [c, a]) {
        expect((await t.http.get('/api/users', { token: s.token })).status).toBe(403);
        expect((await t.http.post('/api/users', {}, { token: s.token })).status).toBe(403);
        expect((await t.http.patch(`/api/users/${c.user.id}`, { suspended: true }, { token: s.token })).status).toBe(403);
        expect((await t.http.put('/api/rate-card/research', { basePriceCents: 1 }, { token: s.token })).status).toBe(403);
      }
      expect((await t.http.put('/api/assistants/me/availability', { online: true }, { token: c.token })).status).toBe(403);
      const list = await t.http.get('/api/users?role=assistant', { token: admin.token });
      expect(list.status).toBe(200);
      expect(list.body.items.every((u: { role: string }) => u.role === 'assistant')).toBe(true);
      expect(JSON.stringify(list.body)).not.toMatch(/password/i);
    });

    it('suspension refuses sign-in and revokes tokens already issued; reinstating lets the user back', async () => {
      const admin = await loginAdmin(t.http, t.config);
      const a = await registerAssistant(t.http);
      const suspended = await t.http.patch(`/api/users/${a.user.id}`, { suspended: true }, { token: admin.token });
      expect(suspended.status).toBe(200);
      expect(suspended.body).toMatchObject({ suspended: true, online: false });
      expect((await t.http.get('/api/auth/me', { token: a.token })).status).toBe(401);
      const login = await t.http.post('/api/auth/login', { email: a.user.email, password: PASSWORD });
      expect(login.status).toBe(403);
      expect(login.body.message).toBe('the account is suspended');
      await t.http.patch(`/api/users/${a.user.id}`, { suspended: false }, { token: admin.token });
      expect((await t.http.post('/api/auth/login', { email: a.user.email, password: PASSWORD })).status).toBe(200);
    });

    it('lets admins create users of any role, admins included, and change an assistant’s skills and capacity', async () => {
      const admin = await loginAdmin(t.http, t.config);
      const created = await t.http.post('/api/users', { email: 'second-admin@example.com', password: PASSWORD, name: 'Second Admin', role: 'admin' }, { token: admin.token });
      expect(created.status).toBe(201);
      expect(created.body.role).toBe('admin');
      const a = await registerAssistant(t.http, ['research']);
      const patched = await t.http.patch(`/api/users/${a.user.id}`, { skills: ['payroll'], maxConcurrentTasks: 5 }, { token: admin.token });
      expect(patched.body).toMatchObject({ skills: ['payroll'], maxConcurrentTasks: 5 });
      const self = await t.http.patch(`/api/users/${admin.user.id}`, { suspended: true }, { token: admin.token });
      expect(self.status).toBe(403);
    });

    it('lets an assistant go online and offline', async () => {
      const a = await registerAssistant(t.http);
      const on = await t.http.put('/api/assistants/me/availability', { online: true }, { token: a.token });
      expect(on.status).toBe(200);
      expect(on.body.online).toBe(true);
    });
  });

  describe('tenancy', () => {
    it('lets a client read its own organization and members, and answers 404 for another organization’s', async () => {
      const mine = await registerClient(t.http);
      const theirs = await registerClient(t.http);
      const a = await registerAssistant(t.http);
      const own = await t.http.get(`/api/organizations/${mine.user.organizationId}`, { token: mine.token });
      expect(own.status).toBe(200);
      expect(own.body.members.map((m: { id: string }) => m.id)).toEqual([mine.user.id]);
      const foreignOrg = await t.http.get(`/api/organizations/${theirs.user.organizationId}`, { token: mine.token });
      expect(foreignOrg.status).toBe(404);
      expect(JSON.stringify(foreignOrg.body)).not.toContain(theirs.user.organizationId);
      expect((await t.http.get(`/api/users/${theirs.user.id}`, { token: mine.token })).status).toBe(404);
      expect((await t.http.get(`/api/users/${mine.user.id}`, { token: mine.token })).status).toBe(200);
      // Assistants see themselves, never a client or its organization.
      expect((await t.http.get(`/api/users/${mine.user.id}`, { token: a.token })).status).toBe(404);
      expect((await t.http.get(`/api/organizations/${mine.user.organizationId}`, { token: a.token })).status).toBe(404);
      expect((await t.http.get(`/api/users/${a.user.id}`, { token: a.token })).status).toBe(200);
      // An id that does not exist looks exactly like one that is not yours.
      expect((await t.http.get(`/api/users/00000000-0000-4000-8000-000000000000`, { token: mine.token })).status).toBe(404);
    });
  });
});

describe('login rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_RATE_LIMIT: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after too many attempts, before checking the password', async () => {
    const c = await registerClient(t.http);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await t.http.post('/api/auth/login', { email: c.user.email, password: 'wrong-password!' })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await t.http.post('/api/auth/login', { email: c.user.email, password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
