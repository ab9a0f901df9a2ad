import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Longest a link may live: it is a bearer credential for the file. */
export const MAX_LINK_TTL_MS = 24 * 3_600_000;
const VERSION = 'v1';

export type VerifiedDownload =
  | { ok: true; subject: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/**
 * The signing key for download links, derived from JWT_SECRET so operators
 * manage one secret, yet a link can never be replayed as a token or the
 * reverse (different key, different format).
 */
export function downloadLinkKey(jwtSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', jwtSecret, 'handoff', 'file download links v1', 32));
}

/**
 * Short-lived download links the API signs itself, whatever the storage
 * driver: whoever holds the link may fetch the file until it expires, so the
 * authorization check happens when the link is made. The subject (a file id)
 * and the expiry are signed with HMAC-SHA256; the token is URL-safe.
 */
export class DownloadLinks {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('a download link key needs at least 32 bytes');
    this.key = key;
  }

  signDownload(subject: string, ttlMs: number, now = Date.now()): string {
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 512) throw new TypeError('subject must be 1-512 characters');
    if (!Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_LINK_TTL_MS) throw new RangeError(`ttlMs must be within (0, ${MAX_LINK_TTL_MS}]`);
    const expires = Math.ceil((now + ttlMs) / 1000).toString(36);
    const encoded = Buffer.from(subject, 'utf8').toString('base64url');
    return `${VERSION}.${encoded}.${expires}.${this.mac(encoded, expires)}`;
  }

  verifyDownload(token: string, now = Date.now()): VerifiedDownload {
    const parts = typeof token === 'string' && token.length <= 2048 ? token.split('.') : [];
    if (parts.length !== 4 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
    const [, encoded, expires, mac] = parts as [string, string, string, string];
    if (!/^[A-Za-z0-9_-]+$/.test(encoded) || !/^[0-9a-z]{1,10}$/.test(expires) || !/^[A-Za-z0-9_-]{43}$/.test(mac)) {
      return { ok: false, reason: 'malformed' };
    }
    // Signature before expiry, so a forged token learns nothing from the answer.
    // The text is compared, not the decoded bytes: base64url's last character has
    // spare bits, and a second spelling of the same signature must not pass.
    if (!timingSafeEqual(Buffer.from(mac, 'ascii'), Buffer.from(this.mac(encoded, expires), 'ascii'))) {
      return { ok: false, reason: 'bad_signature' };
    }
    const expiresAt = new Date(parseInt(expires, 36) * 1000);
    if (now >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, subject: Buffer.from(encoded, 'base64url').toString('utf8'), expiresAt };
  }

  private mac(encoded: string, expires: string): string {
    return createHmac('sha256', this.key).update(`handoff-download.${VERSION}.${encoded}.${expires}`).digest('base64url');
  }
}
