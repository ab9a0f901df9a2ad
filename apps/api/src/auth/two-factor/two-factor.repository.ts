import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { query, type Queryable } from '../../database/sql.js';
import type { UserTwoFactor } from './two-factor.entity.js';

const COLUMNS = `user_id AS "userId", secret_sealed AS "secretSealed", enabled_at AS "enabledAt", last_used_step AS "lastUsedStep", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The only SQL of `user_two_factor`. */
@Injectable()
export class TwoFactorRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async find(userId: string, q: Queryable = this.ds): Promise<UserTwoFactor | null> {
    const rows = await query<UserTwoFactor>(q, `SELECT ${COLUMNS} FROM user_two_factor WHERE user_id = $1`, [userId]);
    return rows[0] ?? null;
  }

  /** A new pending secret, replacing a pending one; null when two-factor sign-in is already on. */
  async savePending(userId: string, secretSealed: string): Promise<UserTwoFactor | null> {
    const rows = await query<UserTwoFactor>(
      this.ds,
      `INSERT INTO user_two_factor (user_id, secret_sealed) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, last_used_step = NULL, updated_at = now()
         WHERE user_two_factor.enabled_at IS NULL
       RETURNING ${COLUMNS}`,
      [userId, secretSealed],
    );
    return rows[0] ?? null;
  }

  /**
   * Record `step` as used, only if it is later than the last one used: one statement, so the same code
   * sent twice at once is accepted once. `activate` also turns a pending enrolment on.
   */
  async useStep(userId: string, step: number, opts: { activate?: boolean } = {}, q: Queryable = this.ds): Promise<boolean> {
    const rows = await query<{ user_id: string }>(
      q,
      `UPDATE user_two_factor
          SET last_used_step = $2, updated_at = now()${opts.activate ? ', enabled_at = now()' : ''}
        WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2)
          AND enabled_at IS ${opts.activate ? '' : 'NOT '}NULL
        RETURNING user_id`,
      [userId, step],
    );
    return rows.length === 1;
  }

  async remove(userId: string, q: Queryable = this.ds): Promise<void> {
    await query(q, `DELETE FROM user_two_factor WHERE user_id = $1`, [userId]);
  }
}
