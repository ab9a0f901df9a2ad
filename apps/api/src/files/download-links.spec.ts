import { randomBytes } from 'node:crypto';

const JWT_SECRET = randomBytes(32).toString('hex');
import { DownloadLinks, downloadLinkKey, MAX_LINK_TTL_MS } from './download-links.js';

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const sut = new DownloadLinks(downloadLinkKey(JWT_SECRET));

describe('download links', () => {
  it('give back the subject until they expire', () => {
    const token = sut.signDownload('file-0b5c', 5 * 60_000, NOW);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(sut.verifyDownload(token, NOW)).toEqual({ ok: true, subject: 'file-0b5c', expiresAt: new Date(NOW + 5 * 60_000) });
    expect(sut.verifyDownload(token, NOW + 5 * 60_000 - 1)).toMatchObject({ ok: true });
  });

  it('expire at their time, and stay expired', () => {
    const token = sut.signDownload('file-1', 60_000, NOW);
    expect(sut.verifyDownload(token, NOW + 60_000)).toEqual({ ok: false, reason: 'expired' });
    expect(sut.verifyDownload(token, NOW + 86_400_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('carry any subject, URL-safe', () => {
    const subject = 'org/5f3c/ä 😀?&=#';
    const token = sut.signDownload(subject, 60_000, NOW);
    expect(encodeURIComponent(token)).toBe(token);
    expect(sut.verifyDownload(token, NOW)).toMatchObject({ ok: true, subject });
  });

  it('refuse a token whose subject, expiry or signature was changed', () => {
    const [v, subject, expires, mac] = sut.signDownload('file-a', 60_000, NOW).split('.') as [string, string, string, string];
    const other = Buffer.from('file-b').toString('base64url');
    const later = (parseInt(expires, 36) + 3600).toString(36);
    const flipped = mac.slice(0, 10) + (mac[10] === 'A' ? 'B' : 'A') + mac.slice(11);
    expect(sut.verifyDownload([v, other, expires, mac].join('.'), NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(sut.verifyDownload([v, subject, later, mac].join('.'), NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(sut.verifyDownload([v, subject, expires, flipped].join('.'), NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuse a second spelling of the same signature (base64url spare bits)', () => {
    const [v, subject, expires, mac] = sut.signDownload('file-a', 60_000, NOW).split('.') as [string, string, string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(mac.at(-1)!);
    // The last of 43 characters carries 4 bits of the digest and 2 spare ones.
    const sameBytes = alphabet[last ^ 1]!;
    const respelled = mac.slice(0, -1) + sameBytes;
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(sut.verifyDownload([v, subject, expires, respelled].join('.'), NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuse a token signed with another key', () => {
    const elsewhere = new DownloadLinks(downloadLinkKey('another-installation-secret-0123456789abcdef'));
    expect(sut.verifyDownload(elsewhere.signDownload('file-a', 60_000, NOW), NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it.each([
    ['empty', ''],
    ['another version', 'v2.ZmlsZQ.abc.' + 'A'.repeat(43)],
    ['too few parts', 'v1.ZmlsZQ.abc'],
    ['too many parts', 'v1.ZmlsZQ.abc.def.' + 'A'.repeat(43)],
    ['padding in the subject', 'v1.ZmlsZQ==.abc.' + 'A'.repeat(43)],
    ['a short signature', 'v1.ZmlsZQ.abc.AAAA'],
    ['an expiry that is not base 36', 'v1.ZmlsZQ.ABC.' + 'A'.repeat(43)],
    ['a huge token', 'v1.' + 'A'.repeat(5000) + '.abc.' + 'A'.repeat(43)],
    ['not a string', 42 as unknown as string],
  ])('call a malformed token (%s) malformed', (_case, token) => {
    expect(sut.verifyDownload(token, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('live at most a day, and need a subject', () => {
    for (const ttl of [0, -1, Number.NaN, Infinity, MAX_LINK_TTL_MS + 1]) {
      expect(() => sut.signDownload('file', ttl, NOW)).toThrow(RangeError);
    }
    expect(() => sut.signDownload('', 60_000, NOW)).toThrow(TypeError);
    expect(sut.verifyDownload(sut.signDownload('file', MAX_LINK_TTL_MS, NOW), NOW)).toMatchObject({ ok: true });
  });

  it('use a key derived from JWT_SECRET: fixed for a secret, different per secret, never the secret itself', () => {
    const key = downloadLinkKey(JWT_SECRET);
    expect(key).toHaveLength(32);
    expect(downloadLinkKey(JWT_SECRET)).toEqual(key);
    expect(downloadLinkKey(`${JWT_SECRET}x`)).not.toEqual(key);
    expect(key.toString('utf8')).not.toContain(JWT_SECRET.slice(0, 8));
    expect(() => new DownloadLinks(Buffer.alloc(16))).toThrow('at least 32 bytes');
  });
});
