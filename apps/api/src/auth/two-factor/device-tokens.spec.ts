import { createHash } from 'node:crypto';
import { DEVICE_TOKEN_TTL_MS, hashDeviceToken, newDeviceToken } from './device-tokens.js';

describe('remembered-device tokens', () => {
  it('are 256 random bits, stored only as their SHA-256, for 30 days', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const sut = newDeviceToken(now);
    expect(sut.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(sut.token, 'base64url')).toHaveLength(32);
    expect(sut.hash).toBe(createHash('sha256').update(sut.token).digest('base64url'));
    expect(sut.hash).not.toContain(sut.token);
    expect(sut.expiresAt.toISOString()).toBe('2026-03-31T12:00:00.000Z');
    expect(DEVICE_TOKEN_TTL_MS).toBe(30 * 86_400_000);
  });

  it('hash the same way when the browser presents them, so the stored hash finds the device', () => {
    const { token, hash } = newDeviceToken();
    expect(hashDeviceToken(token)).toBe(hash);
  });

  it('differ every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newDeviceToken().token));
    expect(tokens.size).toBe(100);
  });

  it('answer null for a cookie not shaped like one of ours, which then needs no lookup', () => {
    const { token } = newDeviceToken();
    for (const bad of ['', token.slice(1), `${token}A`, `${token.slice(0, -1)}=`, 'x'.repeat(100_000)]) {
      expect(hashDeviceToken(bad)).toBeNull();
    }
  });
});
