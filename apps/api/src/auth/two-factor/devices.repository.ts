import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { query, type Queryable } from '../../database/sql.js';

/** The only SQL of `two_factor_devices`, the remembered browsers. */
@Injectable()
export class DevicesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async remember(userId: string, tokenHash: string, tokenVersion: number, expiresAt: Date): Promise<void> {
    // Expired rows of the user go as a new one comes, so the table does not grow with old logins.
    await query(this.ds, `DELETE FROM two_factor_devices WHERE user_id = $1 AND expires_at <= now()`, [userId]);
    await query(this.ds, `INSERT INTO two_factor_devices (user_id, token_hash, token_version, expires_at) VALUES ($1, $2, $3, $4)`, [userId, tokenHash, tokenVersion, expiresAt]);
  }

  /** Whether the token remembers this user's browser: not expired, and no password change or suspension since. */
  async recognises(userId: string, tokenHash: string, tokenVersion: number): Promise<boolean> {
    const rows = await query<{ id: string }>(
      this.ds,
      `UPDATE two_factor_devices SET last_used_at = now()
        WHERE token_hash = $1 AND user_id = $2 AND token_version = $3 AND expires_at > now()
        RETURNING id`,
      [tokenHash, userId, tokenVersion],
    );
    return rows.length === 1;
  }

  async forgetAll(userId: string, q: Queryable = this.ds): Promise<void> {
    await query(q, `DELETE FROM two_factor_devices WHERE user_id = $1`, [userId]);
  }
}
