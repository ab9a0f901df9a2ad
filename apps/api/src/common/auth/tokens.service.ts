import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ROLES, type Role } from '@handoff/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';

export interface AccessClaims {
  sub: string;
  role: Role;
  tv: number;
  /** The session (refresh-token family) the token was issued for; ending the session ends the token. */
  sid: string;
}

/** What a verified token says, with its expiry in epoch seconds. */
export interface VerifiedClaims extends AccessClaims {
  exp: number;
}

const ISSUER = 'handoff';
const AUDIENCE = 'handoff-api';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_TOKEN_LENGTH = 4096;

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Verified tokens kept per process; a user sends the same token with every request for its lifetime. */
const MAX_KEPT = 10_000;

/**
 * HS256 access tokens, signed and checked with node:crypto. Every request
 * verifies one, and WebCrypto (through a JOSE library) cost about six times
 * as much per verify; the rules are the same: only HS256 (so `alg: none` and
 * every other algorithm are refused), our issuer and audience, not expired.
 */
@Injectable()
export class TokensService {
  private readonly key: Buffer;
  /**
   * token → its claims and expiry, only for tokens that passed every check.
   * The key is the whole token, signature included, so nothing unverified
   * can match; expiry is checked again on every use. Revocation (the token
   * version, suspension, an ended session) is SessionService's check, made on
   * every request.
   */
  private readonly verified = new Map<string, { claims: VerifiedClaims; exp: number; nbf: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = Buffer.from(config.jwtSecret, 'utf8');
  }

  get accessTtlSeconds(): number {
    return Math.max(1, Math.floor(this.config.accessTokenTtlMs / 1000));
  }

  private mac(data: string): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }

  sign(claims: AccessClaims): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(
      JSON.stringify({ role: claims.role, tv: claims.tv, sid: claims.sid, sub: claims.sub, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + this.accessTtlSeconds }),
    ).toString('base64url');
    const data = `${HEADER}.${payload}`;
    return Promise.resolve(`${data}.${this.mac(data).toString('base64url')}`);
  }

  /** Null for anything but a valid, unexpired HS256 token we issued. */
  verify(token: string): Promise<VerifiedClaims | null> {
    const now = Math.floor(Date.now() / 1000);
    const kept = this.verified.get(token);
    if (kept) {
      if (kept.exp > now && kept.nbf <= now) return Promise.resolve(kept.claims);
      this.verified.delete(token);
      return Promise.resolve(null);
    }
    const checked = this.check(token, now);
    if (checked) {
      if (this.verified.size >= MAX_KEPT) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, checked);
    }
    return Promise.resolve(checked?.claims ?? null);
  }

  private check(token: string, now: number): { claims: VerifiedClaims; exp: number; nbf: number } | null {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return null;
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h);
    if (!header || header.alg !== 'HS256' || (header.typ !== undefined && header.typ !== 'JWT') || header.crit !== undefined) return null;
    const expected = this.mac(`${h}.${p}`);
    const given = Buffer.from(s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const claims = decodeJson(p);
    if (!claims) return null;
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== ISSUER || !audience.includes(AUDIENCE)) return null;
    if (typeof claims.exp !== 'number' || claims.exp <= now) return null;
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return null;
    if (typeof claims.sub !== 'string' || typeof claims.tv !== 'number' || !(ROLES as readonly unknown[]).includes(claims.role)) return null;
    // Every token belongs to a session; one without (or with a malformed id) cannot be ended, so it never passes.
    if (typeof claims.sid !== 'string' || !UUID.test(claims.sid)) return null;
    return { claims: { sub: claims.sub, role: claims.role as Role, tv: claims.tv, sid: claims.sid, exp: claims.exp }, exp: claims.exp, nbf: (claims.nbf as number | undefined) ?? 0 };
  }
}
