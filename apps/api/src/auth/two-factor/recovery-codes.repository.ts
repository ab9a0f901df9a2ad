import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { query, type Queryable } from '../../database/sql.js';
import type { TwoFactorRecoveryCode } from './two-factor.entity.js';

/** The only SQL of `two_factor_recovery_codes`. */
@Injectable()
export class RecoveryCodesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async hashes(userId: string): Promise<string[]> {
    const rows = await query<Pick<TwoFactorRecoveryCode, 'codeHash'>>(this.ds, `SELECT code_hash AS "codeHash" FROM two_factor_recovery_codes WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
    return rows.map((r) => r.codeHash);
  }

  async count(userId: string, q: Queryable = this.ds): Promise<number> {
    const rows = await query<{ n: number }>(q, `SELECT count(*)::int AS n FROM two_factor_recovery_codes WHERE user_id = $1`, [userId]);
    return rows[0]?.n ?? 0;
  }

  /** The user's codes become exactly these. */
  async replace(userId: string, hashes: readonly string[], q: Queryable): Promise<void> {
    await query(q, `DELETE FROM two_factor_recovery_codes WHERE user_id = $1`, [userId]);
    await query(q, `INSERT INTO two_factor_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::text[])`, [userId, hashes]);
  }

  /** Use up one code; false when it was used meanwhile (two requests with the same code: one wins). */
  async consume(userId: string, hash: string, q: Queryable = this.ds): Promise<boolean> {
    const rows = await query<{ id: string }>(q, `DELETE FROM two_factor_recovery_codes WHERE user_id = $1 AND code_hash = $2 RETURNING id`, [userId, hash]);
    return rows.length === 1;
  }

  async removeAll(userId: string, q: Queryable = this.ds): Promise<void> {
    await query(q, `DELETE FROM two_factor_recovery_codes WHERE user_id = $1`, [userId]);
  }
}
