import { registerClient } from './support/factories.js';
import { LiveClient } from './support/sockets.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// JSON answers: the set OWASP lists for REST APIs.
const API = {
  'cache-control': /^no-store$/,
  'content-security-policy': /^default-src 'none'; frame-ancestors 'none'$/,
  'cross-origin-resource-policy': /^same-origin$/,
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^DENY$/,
};
// Pages a browser renders get the document policies as well.
const DOCUMENT = {
  'content-security-policy': /default-src 'self'.*frame-ancestors 'none'/,
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^DENY$/,
  'referrer-policy': /^no-referrer$/,
  'cross-origin-opener-policy': /^same-origin$/,
  'cross-origin-resource-policy': /^same-origin$/,
};

describe('security headers and CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://app.example', PUBLIC_URL: 'https://handoff.example' });
  });
  afterAll(() => t.close());

  it.each([
    ['a success', 'GET', '/api/health/live'],
    ['a 401', 'GET', '/api/auth/me'],
    ['a 404', 'GET', '/api/nothing-here'],
    ['a 400', 'POST', '/api/auth/login'],
  ])('puts the API security headers on %s', async (_what, method, path) => {
    const res = await t.http.request(method, path, method === 'POST' ? { email: 'nope' } : undefined);
    for (const [name, pattern] of Object.entries(API)) expect(res.headers.get(name)).toMatch(pattern);
    // Document-only policies are left off JSON.
    expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
    // HSTS only because PUBLIC_URL is https here.
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-request-id')).toMatch(/.+/);
  });

  it('puts the document headers on a page a browser renders (the API explorer)', async () => {
    const res = await fetch(`${t.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    for (const [name, pattern] of Object.entries(DOCUMENT)) expect(res.headers.get(name)).toMatch(pattern);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('answers CORS for the exact allowed origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${t.url}/api/tasks`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    for (const origin of ['https://evil.example', 'https://app.example.evil.example', 'http://app.example']) {
      const refused = await preflight(origin);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
    const simple = await fetch(`${t.url}/api/health/live`, { headers: { origin: 'https://evil.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('checks the socket handshake Origin against the same allow-list', async () => {
    const c = await registerClient(t.http);
    const ok = await LiveClient.connect(t.url, c.token, { origin: 'https://app.example' });
    ok.close();
    await expect(LiveClient.connect(t.url, c.token, { origin: 'https://evil.example' })).rejects.toThrow();
  });
});

describe('without a CORS allow-list', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('sends no CORS headers and no HSTS on plain HTTP', async () => {
    const res = await fetch(`${t.url}/api/health/live`, { headers: { origin: 'https://anywhere.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('x-request-id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const idFor = async (sent: string) => (await fetch(`${t.url}/api/health/live`, { headers: { 'x-request-id': sent } })).headers.get('x-request-id');
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('echoes a short, plain id (a UUID, a proxy’s hex id, a trace id)', async () => {
    for (const sent of ['3f2c1a9e-5b7d-4c1e-9a2b-0d4e6f8a1b2c', 'a'.repeat(32), 'Root=1-5759e988-bd862e3fe1be46a994272793', 'x'.repeat(128)]) {
      expect(await idFor(sent)).toBe(sent);
    }
  });

  it('answers a fresh id instead of one that is too long or holds other characters', async () => {
    for (const sent of ['x'.repeat(129), 'y'.repeat(8000), 'a b', '<script>alert(1)</script>', 'id"with"quotes', 'semi;colon', 'ünïcode']) {
      const answered = await idFor(sent);
      expect({ sent: sent.slice(0, 20), answered }).toEqual({ sent: sent.slice(0, 20), answered: expect.stringMatching(UUID) });
    }
    // Two requests without one get two different ids.
    const [a, b] = await Promise.all([fetch(`${t.url}/api/health/live`), fetch(`${t.url}/api/health/live`)]);
    expect(a.headers.get('x-request-id')).toMatch(UUID);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });
});

describe('content types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const send = (body: string, contentType?: string) =>
    fetch(`${t.url}/api/auth/login`, { method: 'POST', body, headers: contentType === undefined ? {} : { 'content-type': contentType } }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const json = JSON.stringify({ email: 'someone@example.com', password: 'wrong-password!' });

  it.each([
    ['text/plain', json],
    ['text/plain; charset=utf-8', json],
    ['application/xml', '<login/>'],
    ['application/x-www-form-urlencoded', 'email=a%40example.com&password=x'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com\r\n--x--\r\n'],
    ['application/octet-stream', 'bytes'],
    ['text/html', '<p>hi</p>'],
  ])('answers 415 naming %s, whatever the body', async (contentType, body) => {
    const res = await send(body, contentType);
    expect(res).toEqual({
      status: 415,
      body: { statusCode: 415, error: 'Unsupported Media Type', message: `content-type ${contentType.split(';')[0]} is not supported; send JSON with content-type: application/json` },
    });
  });

  it('answers 415 to a body without a content-type', async () => {
    // fetch labels a string body text/plain; a Blob without a type goes out with none.
    const res = await fetch(`${t.url}/api/auth/login`, { method: 'POST', body: new Blob([json]) });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toBe('a body without a content-type is not supported; send JSON with content-type: application/json');
  });

  it('still reads JSON, with or without a charset', async () => {
    expect((await send(json, 'application/json')).status).toBe(401);
    expect((await send(json, 'application/json; charset=utf-8')).status).toBe(401);
  });
});
