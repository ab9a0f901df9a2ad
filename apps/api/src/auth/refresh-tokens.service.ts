import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

export const REFRESH_COOKIE = 'handoff_refresh';
/** The cookie only travels to the auth routes, never to the rest of the API. */
export const REFRESH_COOKIE_PATH = '/api/auth';

const hash = (raw: string) => createHash('sha256').update(raw).digest('hex');

export type Rotation =
  | { ok: true; userId: string; token: string; sessionId: string }
  /** `ended`: the session this refusal revoked just now (a reuse, a stale family), if it did. */
  | { ok: false; reason: 'unknown' | 'expired' | 'reused' | 'revoked' | 'stale'; ended?: string };

/**
 * Rotating refresh tokens. Each use swaps the token for a new one of the same
 * family; showing an already-swapped token means two parties hold it, so the
 * whole family is revoked and both must sign in again.
 *
 * A family is a session: its id goes into every access token issued with it
 * (`sid`), and revoking the family ends those access tokens too (see
 * SessionService and the migration SessionEnded).
 */
@Injectable()
export class RefreshTokensService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly tokens: RefreshTokensRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get ttlSeconds(): number {
    return Math.floor(this.config.refreshTokenTtlMs / 1000);
  }

  /** Start a new family (a sign-in): the raw token for the cookie, and the family's id, the session. */
  async issue(userId: string, tokenVersion: number): Promise<{ token: string; sessionId: string }> {
    const raw = randomBytes(32).toString('base64url');
    const sessionId = await this.tokens.insert({ userId, tokenHash: hash(raw), tokenVersion, ttlSeconds: this.ttlSeconds });
    return { token: raw, sessionId };
  }

  async rotate(raw: string): Promise<Rotation> {
    return this.ds.transaction(async (m) => {
      const row = await this.tokens.lockByHash(m, hash(raw));
      if (!row) return { ok: false, reason: 'unknown' } as const;
      if (row.revokedAt) return { ok: false, reason: 'revoked' } as const;
      if (row.usedAt) {
        await this.tokens.revokeFamily(m, row.familyId);
        return { ok: false, reason: 'reused', ended: row.familyId } as const;
      }
      if (row.expired) return { ok: false, reason: 'expired' } as const;
      // Suspension bumps token_version: every session from before it ends here too.
      if (row.suspended !== false || row.currentVersion !== row.tokenVersion) {
        await this.tokens.revokeFamily(m, row.familyId);
        return { ok: false, reason: 'stale', ended: row.familyId } as const;
      }
      await this.tokens.markUsed(m, row.id);
      const next = randomBytes(32).toString('base64url');
      await this.tokens.insert({ familyId: row.familyId, userId: row.userId, tokenHash: hash(next), tokenVersion: row.tokenVersion, ttlSeconds: this.ttlSeconds }, m);
      return { ok: true, userId: row.userId, token: next, sessionId: row.familyId } as const;
    });
  }

  /** Sign-out: the family of this token can no longer be refreshed. Answers the session it ended, if any. */
  async revoke(raw: string): Promise<string | null> {
    return this.tokens.revokeFamilyOf(hash(raw));
  }
}
