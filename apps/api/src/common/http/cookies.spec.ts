import { parseCookies, serializeCookie } from './cookies.js';

describe('parseCookies', () => {
  it('reads pairs, trims, decodes and keeps the first of a repeated name', () => {
    expect(parseCookies('a=1; b = two%20words ;a=3; c="q"')).toEqual({ a: '1', b: 'two words', c: 'q' });
  });

  it('skips malformed pairs and bad percent-encoding instead of throwing', () => {
    expect(parseCookies('=x; noeq; ok=1; bad=%E0%A4%A')).toEqual({ ok: '1' });
    expect(parseCookies(undefined)).toEqual({});
    expect(parseCookies(['a=1', 'b=2'])).toEqual({ a: '1', b: '2' });
  });
});

describe('serializeCookie', () => {
  it('writes HttpOnly, SameSite=Strict and the path, Secure only when asked', () => {
    expect(serializeCookie('r', 'a b', { path: '/api/auth', maxAgeSeconds: 60 })).toBe('r=a%20b; Path=/api/auth; Max-Age=60; HttpOnly; SameSite=Strict');
    expect(serializeCookie('r', 'v', { path: '/', maxAgeSeconds: 1, secure: true })).toContain('; Secure;');
  });

  it('expires the cookie when the age is zero', () => {
    expect(serializeCookie('r', '', { path: '/api/auth', maxAgeSeconds: 0 })).toMatch(/Max-Age=0; Expires=Thu, 01 Jan 1970/);
  });

  it('refuses a name that would break the header', () => {
    expect(() => serializeCookie('a;b', 'v', { path: '/', maxAgeSeconds: 1 })).toThrow();
  });
});
