import { createHash, randomBytes } from 'node:crypto';

/** How long "remember this device" skips the second factor. */
export const DEVICE_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

const TOKEN_BYTES = 32;
// 32 bytes in base64url, unpadded.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface NewDeviceToken {
  /** For the browser (an HttpOnly cookie); never stored. */
  token: string;
  /** What to store with the account, to look the token up by. */
  hash: string;
  expiresAt: Date;
}

/**
 * An opaque random token remembering a device that passed the second factor. Only its SHA-256 is
 * stored: with 256 random bits a plain hash cannot be reversed, and looking it up needs no pepper.
 */
export function newDeviceToken(now: Date = new Date()): NewDeviceToken {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, hash: sha256(token), expiresAt: new Date(now.getTime() + DEVICE_TOKEN_TTL_MS) };
}

/**
 * The stored form of a token a client presents, or null if it is not shaped like one of ours (a
 * garbage cookie is not worth a hash or a query). Match it together with the account and the expiry.
 */
export function hashDeviceToken(token: string): string | null {
  return TOKEN.test(token) ? sha256(token) : null;
}

function sha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}
