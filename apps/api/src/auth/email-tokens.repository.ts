import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../database/sql.js';
import type { EmailTokenPurpose } from './email-token.entity.js';

/** email_tokens. */
@Injectable()
export class EmailTokensRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * A new token for the user, unless one of the same purpose was issued within `minGapMs`
   * (then null: one mail per gap, whoever asks). Issuing voids the user's earlier unused
   * tokens of that purpose, so only the newest mail's link works. The advisory lock makes
   * two concurrent requests issue one token.
   */
  async issue(row: { userId: string; purpose: EmailTokenPurpose; tokenHash: string; email: string; ttlMs: number; minGapMs: number }): Promise<string | null> {
    return this.ds.transaction(async (m: EntityManager) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('email_tokens:' || $1 || ':' || $2, 0))`, [row.userId, row.purpose]);
      const [recent] = rowsOf<{ n: number }>(
        await m.query(
          `SELECT count(*)::int AS n FROM email_tokens
            WHERE user_id = $1 AND purpose = $2 AND created_at > now() - make_interval(secs => $3::float8 / 1000)`,
          [row.userId, row.purpose, row.minGapMs],
        ),
      );
      if (recent!.n > 0) return null;
      await m.query(`UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, [row.userId, row.purpose]);
      const [inserted] = rowsOf<{ id: string }>(
        await m.query(
          `INSERT INTO email_tokens (user_id, purpose, token_hash, email, expires_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::float8 / 1000)) RETURNING id`,
          [row.userId, row.purpose, row.tokenHash, row.email, row.ttlMs],
        ),
      );
      return inserted!.id;
    });
  }

  /** Uses the token once: its user and address while unused and unexpired, else null (a second use gets null). */
  async consume(tokenHash: string, purpose: EmailTokenPurpose, m: EntityManager = this.ds.manager): Promise<{ userId: string; email: string } | null> {
    const [row] = rowsOf<{ user_id: string; email: string }>(
      await m.query(
        `UPDATE email_tokens SET used_at = now()
          WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
          RETURNING user_id, email`,
        [tokenHash, purpose],
      ),
    );
    return row ? { userId: row.user_id, email: row.email } : null;
  }

  /** Voids every unused token of the user (a password change elsewhere makes a pending reset link stale). */
  async voidAll(userId: string, purpose: EmailTokenPurpose, m: EntityManager = this.ds.manager): Promise<void> {
    await m.query(`UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, [userId, purpose]);
  }

  /** Spent and expired tokens a day on: the maintenance sweep's share. */
  async prune(): Promise<number> {
    const rows = rowsOf(await this.ds.query(`DELETE FROM email_tokens WHERE COALESCE(used_at, expires_at) < now() - interval '1 day' RETURNING 1`));
    return rows.length;
  }
}
