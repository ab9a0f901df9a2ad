import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { query, type Queryable } from '../../database/sql.js';

/** The organization's two-factor policy: its one column of `organizations` and nothing else of that table. */
@Injectable()
export class TwoFactorPolicyRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Null when the organization does not exist. */
  async requires(organizationId: string): Promise<boolean | null> {
    const rows = await query<{ requireTwoFactor: boolean }>(this.ds, `SELECT require_two_factor AS "requireTwoFactor" FROM organizations WHERE id = $1`, [organizationId]);
    return rows[0]?.requireTwoFactor ?? null;
  }

  /** Null when the organization does not exist. */
  async set(organizationId: string, requireTwoFactor: boolean, q: Queryable = this.ds): Promise<boolean | null> {
    const rows = await query<{ requireTwoFactor: boolean }>(
      q,
      `UPDATE organizations SET require_two_factor = $2 WHERE id = $1 RETURNING require_two_factor AS "requireTwoFactor"`,
      [organizationId, requireTwoFactor],
    );
    return rows[0]?.requireTwoFactor ?? null;
  }
}
