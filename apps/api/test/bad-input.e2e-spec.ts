import { loginAdmin, PASSWORD, registerAssistant, registerClient, type Session } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Case = [name: string, method: 'POST' | 'PATCH' | 'PUT' | 'GET' | 'DELETE', path: string, body: unknown, status: number, message: RegExp];

describe('bad input on account routes', () => {
  let t: TestApp;
  let admin: Session;
  let assistant: Session;
  let client: Session;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
    admin = await loginAdmin(t.http, t.config);
    assistant = await registerAssistant(t.http);
    client = await registerClient(t.http);
  });
  afterAll(() => t.close());

  const valid = { email: 'new@example.com', password: PASSWORD, name: 'New', role: 'client', organizationName: 'Org' };

  const cases: Case[] = [
    ['register: role admin', 'POST', '/api/auth/register', { ...valid, role: 'admin' }, 400, /^role must be client or assistant$/],
    ['register: smuggled suspended', 'POST', '/api/auth/register', { ...valid, suspended: true }, 400, /^suspended is not allowed$/],
    ['register: smuggled organizationId', 'POST', '/api/auth/register', { ...valid, organizationId: '00000000-0000-4000-8000-000000000000' }, 400, /^organizationId is not allowed$/],
    ['register: short password', 'POST', '/api/auth/register', { ...valid, password: 'short' }, 400, /^password must be at least 10 characters$/],
    ['register: bad e-mail', 'POST', '/api/auth/register', { ...valid, email: 'nope' }, 400, /^email must be an e-mail address$/],
    ['register: missing name', 'POST', '/api/auth/register', { ...valid, name: undefined }, 400, /^name is required$/],
    ['register: name of the wrong type', 'POST', '/api/auth/register', { ...valid, name: 42 }, 400, /^name must be a string$/],
    ['register: client without organization', 'POST', '/api/auth/register', { ...valid, organizationName: undefined }, 400, /^organizationName is required for a client$/],
    ['register: assistant without skills', 'POST', '/api/auth/register', { ...valid, role: 'assistant', organizationName: undefined }, 400, /^skills is required for an assistant$/],
    ['register: unknown skill', 'POST', '/api/auth/register', { ...valid, role: 'assistant', organizationName: undefined, skills: ['juggling'] }, 400, /^skills\.0 must be one of/],
    ['register: body is an array', 'POST', '/api/auth/register', [1, 2], 400, /^body must be a JSON object$/],
    ['register: name too long', 'POST', '/api/auth/register', { ...valid, name: 'x'.repeat(121) }, 400, /^name must be at most 120 characters$/],
    ['register: NUL in the name', 'POST', '/api/auth/register', { ...valid, name: 'New\u0000' }, 400, /^name must not contain the NUL character/],
    ['register: lone surrogate in the organization', 'POST', '/api/auth/register', { ...valid, organizationName: '\ud800Org' }, 400, /^organizationName must not contain an unpaired UTF-16 surrogate/],
    ['register: NUL in the e-mail', 'POST', '/api/auth/register', { ...valid, email: 'new\u0000@example.com' }, 400, /^email must not contain the NUL character/],
    ['register: NUL in the password', 'POST', '/api/auth/register', { ...valid, password: `${PASSWORD}\u0000` }, 400, /^password must not contain the NUL character/],
    ['login: lone surrogate in the password', 'POST', '/api/auth/login', { email: 'a@example.com', password: 'x\udc00' }, 400, /^password must not contain an unpaired UTF-16 surrogate/],
    ['login: missing password', 'POST', '/api/auth/login', { email: 'a@example.com' }, 400, /^password is required$/],
    ['login: extra field', 'POST', '/api/auth/login', { email: 'a@example.com', password: 'x', role: 'admin' }, 400, /^role is not allowed$/],
    ['users list: bad role filter', 'GET', '/api/users?role=boss', undefined, 400, /^role must be one of/],
    ['users list: limit too high', 'GET', '/api/users?limit=500', undefined, 400, /^limit must be at most 200$/],
    ['users list: bad cursor', 'GET', '/api/users?cursor=garbage', undefined, 400, /^cursor is invalid$/],
    ['user: id not a UUID', 'GET', '/api/users/123', undefined, 400, /^id must be a UUID$/],
    ['patch user: empty body', 'PATCH', '/api/users/00000000-0000-4000-8000-000000000000', {}, 400, /at least one field/],
    ['patch user: capacity 0', 'PATCH', '/api/users/00000000-0000-4000-8000-000000000000', { maxConcurrentTasks: 0 }, 400, /^maxConcurrentTasks must be at least 1$/],
    ['patch user: capacity not integer', 'PATCH', '/api/users/00000000-0000-4000-8000-000000000000', { maxConcurrentTasks: 1.5 }, 400, /^maxConcurrentTasks must be an integer$/],
    ['patch user: capacity past 2^53', 'PATCH', '/api/users/00000000-0000-4000-8000-000000000000', { maxConcurrentTasks: 2 ** 53 + 2 }, 400, /^maxConcurrentTasks must be at most 50$/],
    ['patch user: smuggled role', 'PATCH', '/api/users/00000000-0000-4000-8000-000000000000', { role: 'admin' }, 400, /^role is not allowed$/],
    ['patch user: unknown user', 'PATCH', '/api/users/00000000-0000-4000-8000-000000000000', { suspended: true }, 404, /^user not found$/],
    ['create user: bad role', 'POST', '/api/users', { ...valid, role: 'root' }, 400, /^role must be one of/],
    ['rate card: unknown category', 'PUT', '/api/rate-card/juggling', { basePriceCents: 100 }, 400, /^category must be one of/],
    ['rate card: float cents', 'PUT', '/api/rate-card/research', { basePriceCents: 10.5 }, 400, /^basePriceCents must be an integer number of cents$/],
    ['rate card: negative', 'PUT', '/api/rate-card/research', { basePriceCents: -1 }, 400, /^basePriceCents must be at least 1$/],
    ['rate card: past 2^53', 'PUT', '/api/rate-card/research', { basePriceCents: 1e21 }, 400, /^basePriceCents must be at most 10000000$/],
    ['qualification requirement: not a boolean', 'PUT', '/api/qualifications/payroll', { required: 1 }, 400, /^required must be true or false$/],
    ['qualification requirement: unknown category', 'PUT', '/api/qualifications/juggling', { required: true }, 400, /^category must be one of/],
    ['qualification task: neither reference answer nor rubric', 'POST', '/api/qualification-tasks', { category: 'payroll', instructions: 'I' }, 400, /^referenceAnswer or rubric is required$/],
    ['qualification review: bad outcome', 'POST', '/api/qualification-attempts/00000000-0000-4000-8000-000000000000/review', { outcome: 'ok' }, 400, /^outcome must be passed or failed$/],
    ['qualification attempts: bad status', 'GET', '/api/qualification-attempts?status=open', undefined, 400, /^status must be one of/],
    ['users list: NUL in the cursor', 'GET', '/api/users?cursor=abc%00', undefined, 400, /^cursor must not contain the NUL character/],
    ['task files: id not a UUID', 'GET', '/api/tasks/123/files', undefined, 400, /^id must be a UUID$/],
    ['file upload: id not a UUID', 'POST', '/api/tasks/123/files', { purpose: 'attachment' }, 400, /^id must be a UUID$/],
    ['file link: id not a UUID', 'GET', '/api/files/123/link', undefined, 400, /^id must be a UUID$/],
    ['file delete: id not a UUID', 'DELETE', '/api/files/123', undefined, 400, /^id must be a UUID$/],
    ['file download: no token', 'GET', '/api/files/download', undefined, 400, /^token is required$/],
    ['file download: NUL in the token', 'GET', '/api/files/download?token=v1.a%00', undefined, 400, /^token must not contain the NUL character/],
    ['file download: smuggled field', 'GET', '/api/files/download?token=v1.a&fileId=x', undefined, 400, /^fileId is not allowed$/],
    ['file download: forged token', 'GET', '/api/files/download?token=v1.a.b.c', undefined, 403, /^token: not a valid download link$/],
  ];

  it.each(cases)('%s', async (_name, method, path, body, status, message) => {
    const res = await t.http.request(method, path, body, { token: admin.token });
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
    expect(res.body.statusCode).toBe(status);
  });

  it('availability: online must be a boolean', async () => {
    const res = await t.http.put('/api/assistants/me/availability', { online: 'yes' }, { token: assistant.token });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('online must be true or false');
  });

  it('changes nothing when input is refused', async () => {
    await t.http.post('/api/auth/register', { ...valid, email: 'never@example.com', role: 'admin' });
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email = 'never@example.com'`);
    expect(rows[0].n).toBe(0);
  });

  it('answers malformed JSON with 400, an oversized body with 413 and an unknown content type with 415', async () => {
    const malformed = await t.http.request('POST', '/api/auth/login', undefined, { raw: '{"email":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/JSON/);
    const huge = await t.http.post('/api/auth/register', { ...valid, name: 'x'.repeat(10_000) });
    expect(huge.status).toBe(413);
    const text = await t.http.request('POST', '/api/auth/login', undefined, { raw: '{"email":"a@example.com"}', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const xml = await t.http.request('POST', '/api/auth/login', undefined, { raw: '<a/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);
  });

  it('never answers 500 for these, and never shows a stack trace', async () => {
    for (const [, method, path, body] of cases) {
      const res = await t.http.request(method, path, body, { token: client.token });
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
    }
  });
});

describe('JSON bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('accepts an empty body with a JSON content type on a body-less POST, and still validates it where a body is required', async () => {
    const assistant = await registerAssistant(t.http, ['research']);
    const next = await t.http.request('POST', '/api/tasks/claim-next', undefined, { token: assistant.token, raw: '', headers: { 'content-type': 'application/json' } });
    expect(next.status).toBe(204);
    const login = await t.http.request('POST', '/api/auth/login', undefined, { raw: '', headers: { 'content-type': 'application/json' } });
    expect(login.status).toBe(400);
    expect(login.body.message).toBe('body must be a JSON object');
  });

  it('refuses prototype-poisoning keys', async () => {
    const res = await t.http.request('POST', '/api/auth/login', undefined, { raw: '{"email":"a@example.com","password":"x","__proto__":{"role":"admin"}}' });
    expect(res.status).toBe(400);
  });
});
