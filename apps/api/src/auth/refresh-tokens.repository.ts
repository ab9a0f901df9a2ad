import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { deletedCount, rowsOf } from '../database/sql.js';
import { rowMapper } from '../database/rows.js';
import { RefreshToken } from './refresh-token.entity.js';

/** A token found by its hash, locked, with where its user stands now. */
export interface LockedToken extends Pick<RefreshToken, 'id' | 'familyId' | 'userId' | 'tokenVersion' | 'usedAt' | 'revokedAt'> {
  expired: boolean;
  /** Null when the user is gone. */
  currentVersion: number | null;
  suspended: boolean | null;
}

const toLockedToken = rowMapper<RefreshToken, Pick<LockedToken, 'expired' | 'currentVersion' | 'suspended'>>(RefreshToken, {
  expired: 'expired',
  current_version: 'currentVersion',
  suspended: 'suspended',
});

/** refresh_tokens: one row per rotation of a session (a family); only hashes are kept. */
@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** A new row expiring `ttlSeconds` from now; a new family (a sign-in) unless `familyId` names one. Answers the family. */
  async insert(
    row: Pick<RefreshToken, 'userId' | 'tokenHash' | 'tokenVersion'> & { familyId?: string; ttlSeconds: number },
    m: EntityManager = this.ds.manager,
  ): Promise<string> {
    const [inserted] = rowsOf<{ family_id: string }>(
      await m.query(
        `INSERT INTO refresh_tokens (family_id, user_id, token_hash, token_version, expires_at)
         VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, now() + make_interval(secs => $5))
         RETURNING family_id`,
        [row.familyId ?? null, row.userId, row.tokenHash, row.tokenVersion, row.ttlSeconds],
      ),
    );
    return inserted!.family_id;
  }

  /** The row lock makes two concurrent uses of one token resolve as one rotation and one reuse. */
  async lockByHash(m: EntityManager, tokenHash: string): Promise<LockedToken | null> {
    const [row] = rowsOf<Record<string, unknown>>(
      await m.query(
        `SELECT r.id, r.family_id, r.user_id, r.token_version, r.expires_at <= now() AS expired, r.used_at, r.revoked_at,
                u.token_version AS current_version, u.suspended
           FROM refresh_tokens r LEFT JOIN users u ON u.id = r.user_id
          WHERE r.token_hash = $1 FOR UPDATE OF r`,
        [tokenHash],
      ),
    );
    return row ? toLockedToken(row) : null;
  }

  async markUsed(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE refresh_tokens SET used_at = now() WHERE id = $1`, [id]);
  }

  async revokeFamily(m: EntityManager, familyId: string): Promise<void> {
    await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [familyId]);
  }

  /** Revokes the family of the token with this hash; answers the family if this ended it. */
  async revokeFamilyOf(tokenHash: string): Promise<string | null> {
    const rows = rowsOf<{ family_id: string }>(
      await this.ds.query(
        `UPDATE refresh_tokens SET revoked_at = now()
          WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL
          RETURNING family_id`,
        [tokenHash],
      ),
    );
    return rows[0]?.family_id ?? null;
  }

  /** Deletes up to `batch` tokens a day past their expiry (refused anyway, reused or not); answers how many. */
  async deleteExpired(m: EntityManager, batch: number): Promise<number> {
    const r: unknown = await m.query(
      `DELETE FROM refresh_tokens WHERE id IN (SELECT id FROM refresh_tokens WHERE expires_at < now() - interval '1 day' LIMIT ${Number(batch)})`,
    );
    return deletedCount(r);
  }
}
