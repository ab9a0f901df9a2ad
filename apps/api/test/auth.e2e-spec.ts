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

// The test client connects from loopback, which TRUST_PROXY believes by default, so X-Forwarded-For
// stands in for the client addresses a proxy on this machine would report.
describe('failed sign-ins: per account and address, per address, and a growing delay per account', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_RATE_LIMIT: '3', LOGIN_ACCOUNT_LIMIT: '4', LOGIN_ADDRESS_LIMIT: '6', LOGIN_LOCKOUT_MAX: '8s', RATE_LIMIT_WINDOW: '60s' });
  });
  afterAll(() => t.close());

  let n = 0;
  /** A client address no test has used yet. */
  const freshAddress = () => `198.51.100.${++n}`;
  const login = (email: string, password: string, from: string) => t.http.post('/api/auth/login', { email, password }, { headers: { 'x-forwarded-for': from } });
  const WRONG = 'wrong-password!';

  it('counts only failures: a user who signs in often is never limited, and a success clears that address’s failures', async () => {
    const c = await registerClient(t.http);
    const home = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login(c.user.email, PASSWORD, home)).status);
    // Two typos and a success, twice over: 3 failures in all, at the limit of 3, yet never refused.
    for (const password of [WRONG, WRONG, PASSWORD, WRONG, WRONG, PASSWORD]) statuses.push((await login(c.user.email, password, home)).status);
    expect(statuses).toEqual([...Array(12).fill(200), 401, 401, 200, 401, 401, 200]);
  });

  it('refuses an address after LOGIN_RATE_LIMIT failures for one account, even with the right password, and only for that account', async () => {
    const c = await registerClient(t.http);
    const other = await registerClient(t.http);
    const attacker = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(c.user.email, WRONG, attacker)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const right = await login(c.user.email, PASSWORD, attacker);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(right.body.message).toMatch(/too many failed sign-ins; retry in \d+ s/);
    expect((await login(other.user.email, PASSWORD, attacker)).status).toBe(200);
  });

  it('refuses an address after LOGIN_ADDRESS_LIMIT failures over many accounts (one password sprayed over e-mails)', async () => {
    const sprayer = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await login(`nobody-${i}-${n}@example.com`, WRONG, sprayer)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
  });

  it('lets exactly LOGIN_RATE_LIMIT of 20 concurrent guesses from one address through', async () => {
    const c = await registerClient(t.http);
    const attacker = freshAddress();
    const statuses = (await Promise.all(Array.from({ length: 20 }, () => login(c.user.email, WRONG, attacker)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
  });

  it('past LOGIN_ACCOUNT_LIMIT, makes new addresses wait 1 s, 2 s, 4 s, 8 s; the owner keeps signing in from an address they used', async () => {
    const owner = await registerClient(t.http);
    const home = freshAddress();
    expect((await login(owner.user.email, PASSWORD, home)).status).toBe(200);

    // An attacker with an address per guess: the first 4 failures reach the account's limit.
    for (let i = 0; i < 4; i++) expect((await login(owner.user.email, WRONG, freshAddress())).status).toBe(401);
    // From here, of a burst of guesses from new addresses one is let through, and it doubles the delay
    // the rest are told to wait; once that has passed, the next burst gets one through again.
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const burst = await Promise.all(Array.from({ length: 10 }, () => login(owner.user.email, WRONG, freshAddress())));
      expect(burst.map((r) => r.status).sort()).toEqual([401, ...Array(9).fill(429)]);
      waits.push(Math.max(...burst.map((r) => Number(r.headers.get('retry-after') ?? 0))));
      if (i < 3) await new Promise((r) => setTimeout(r, waits.at(-1)! * 1000 + 100));
    }
    expect(waits).toEqual([1, 2, 4, 8]);

    // While the attacker waits out 8 s, the owner signs in from home, and a typo there is an ordinary 401.
    expect((await login(owner.user.email, PASSWORD, home)).status).toBe(200);
    expect((await login(owner.user.email, WRONG, home)).status).toBe(401);
    expect((await login(owner.user.email, PASSWORD, home)).status).toBe(200);
    // A new address of the owner's waits like the attacker's: the price of not knowing it yet.
    expect((await login(owner.user.email, PASSWORD, freshAddress())).status).toBe(429);
    console.info(`growing delay past LOGIN_ACCOUNT_LIMIT: new addresses waited ${waits.join(', ')} s; the owner's home address was never refused`);
  }, 60_000);

  it('hammered from 40 addresses at once, the account still lets its owner in from home', async () => {
    const owner = await registerClient(t.http);
    const home = freshAddress();
    expect((await login(owner.user.email, PASSWORD, home)).status).toBe(200);
    const attackers = Array.from({ length: 40 }, () => freshAddress());
    const [attack, signedIn] = await Promise.all([
      Promise.all(attackers.flatMap((a) => [login(owner.user.email, WRONG, a), login(owner.user.email, WRONG, a)])),
      login(owner.user.email, PASSWORD, home),
    ]);
    const after = await login(owner.user.email, PASSWORD, home);
    const statuses = attack.map((r) => r.status);
    // The account's 4, then one each time the delay (doubling from 1 s) has passed: a handful, however slow the machine.
    expect(statuses.filter((s) => s === 401).length).toBeLessThan(12);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(68);
    expect([signedIn.status, after.status]).toEqual([200, 200]);
    console.info(`80 concurrent guesses from 40 addresses: ${statuses.filter((s) => s === 401).length} checked, ${statuses.filter((s) => s === 429).length} refused; the owner signed in from home`);
  });
});
