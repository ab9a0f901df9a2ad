import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long the second step may follow the first. */
export const CHALLENGE_TTL_SECONDS = 5 * 60;

// Domain separation: the same secret signs access tokens, and a challenge must never pass for one.
const CONTEXT = 'handoff two-factor challenge v1\0';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Challenge {
  userId: string;
  /** The user's token version at the first step: a password change or suspension since voids it. */
  tokenVersion: number;
}

/**
 * What the first sign-in step hands an account with two-factor sign-in on: proof that the password was
 * right, good for one short while, opening no session. Stateless (an HMAC), so nothing is stored
 * for sign-ins that are never finished; the second factor's own counters limit the guessing.
 */
export class ChallengeTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'utf8');
  }

  issue(c: Challenge, now: number = Date.now()): string {
    const payload = Buffer.from(JSON.stringify({ u: c.userId, v: c.tokenVersion, e: Math.floor(now / 1000) + CHALLENGE_TTL_SECONDS })).toString('base64url');
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /** The challenge, or null when the token is not ours, was altered or has expired. */
  open(token: string, now: number = Date.now()): Challenge | null {
    const [payload, sig, extra] = token.split('.');
    if (!payload || !sig || extra !== undefined) return null;
    const given = Buffer.from(sig, 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u?: unknown; v?: unknown; e?: unknown };
      if (typeof c.u !== 'string' || !UUID.test(c.u) || typeof c.v !== 'number' || typeof c.e !== 'number') return null;
      if (c.e <= Math.floor(now / 1000)) return null;
      return { userId: c.u, tokenVersion: c.v };
    } catch {
      return null;
    }
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(CONTEXT).update(payload).digest();
  }
}
