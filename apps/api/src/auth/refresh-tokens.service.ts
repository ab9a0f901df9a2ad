import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { rowsOf } from '../database/sql.js';

export const REFRESH_COOKIE = 'handoff_refresh';
/** The cookie only travels to the auth routes, never to the rest of the API. */
export const REFRESH_COOKIE_PATH = '/api/auth';

const hash = (raw: string) => createHash('sha256').update(raw).digest('hex');

interface Row {
  id: string;
  family_id: string;
  user_id: string;
  token_version: number;
  expired: boolean;
  used_at: Date | null;
  revoked_at: Date | null;
}

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get ttlSeconds(): number {
    return Math.floor(this.config.refreshTokenTtlMs / 1000);
  }

  /** Start a new family (a sign-in): the raw token for the cookie, and the family's id, the session. */
  async issue(userId: string, tokenVersion: number): Promise<{ token: string; sessionId: string }> {
    const raw = randomBytes(32).toString('base64url');
    const rows: { family_id: string }[] = await this.ds.query(
      `INSERT INTO refresh_tokens (family_id, user_id, token_hash, token_version, expires_at)
       VALUES (gen_random_uuid(), $1, $2, $3, now() + make_interval(secs => $4))
       RETURNING family_id`,
      [userId, hash(raw), tokenVersion, this.ttlSeconds],
    );
    return { token: raw, sessionId: rows[0]!.family_id };
  }

  async rotate(raw: string): Promise<Rotation> {
    return this.ds.transaction(async (m) => {
      // The row lock makes two concurrent uses of one token resolve as one rotation and one reuse.
      const rows: (Row & { current_version: number | null; suspended: boolean | null })[] = await m.query(
        `SELECT r.id, r.family_id, r.user_id, r.token_version, r.expires_at <= now() AS expired, r.used_at, r.revoked_at,
                u.token_version AS current_version, u.suspended
           FROM refresh_tokens r LEFT JOIN users u ON u.id = r.user_id
          WHERE r.token_hash = $1 FOR UPDATE OF r`,
        [hash(raw)],
      );
      const row = rows[0];
      if (!row) return { ok: false, reason: 'unknown' } as const;
      if (row.revoked_at) return { ok: false, reason: 'revoked' } as const;
      if (row.used_at) {
        await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [row.family_id]);
        return { ok: false, reason: 'reused', ended: row.family_id } as const;
      }
      if (row.expired) return { ok: false, reason: 'expired' } as const;
      // Suspension bumps token_version: every session from before it ends here too.
      if (row.suspended !== false || row.current_version !== row.token_version) {
        await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [row.family_id]);
        return { ok: false, reason: 'stale', ended: row.family_id } as const;
      }
      await m.query(`UPDATE refresh_tokens SET used_at = now() WHERE id = $1`, [row.id]);
      const next = randomBytes(32).toString('base64url');
      await m.query(
        `INSERT INTO refresh_tokens (family_id, user_id, token_hash, token_version, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [row.family_id, row.user_id, hash(next), row.token_version, this.ttlSeconds],
      );
      return { ok: true, userId: row.user_id, token: next, sessionId: row.family_id } as const;
    });
  }

  /** Sign-out: the family of this token can no longer be refreshed. Answers the session it ended, if any. */
  async revoke(raw: string): Promise<string | null> {
    const rows = rowsOf<{ family_id: string }>(
      await this.ds.query(
        `UPDATE refresh_tokens SET revoked_at = now()
          WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL
          RETURNING family_id`,
        [hash(raw)],
      ),
    );
    return rows[0]?.family_id ?? null;
  }
}
