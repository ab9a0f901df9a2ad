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
