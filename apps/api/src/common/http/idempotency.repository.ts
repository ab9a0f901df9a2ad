import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { deletedCount, rowsOf } from '../../database/sql.js';
import type { IdempotencyKey } from './idempotency-key.entity.js';

/** idempotency_keys. Each method runs in the caller's transaction: the key commits with what it created. */
@Injectable()
export class IdempotencyRepository {
  /** Takes the key; false when a row for it is there already (a retry, which waits here for the first to commit). Keys past `ttlHours` are forgotten first. */
  async claim(m: EntityManager, userId: string, key: string, requestHash: string, ttlHours: number): Promise<boolean> {
    await m.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < now() - make_interval(hours => $3)`, [userId, key, ttlHours]);
    const inserted = rowsOf(
      await m.query(`INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`, [userId, key, requestHash]),
    );
    return inserted.length > 0;
  }

  async find<T>(m: EntityManager, userId: string, key: string): Promise<(Pick<IdempotencyKey, 'requestHash' | 'statusCode'> & { response: T | null }) | null> {
    const [row] = rowsOf<{ request_hash: string; status_code: number | null; response: T | null }>(
      await m.query(`SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [userId, key]),
    );
    return row ? { requestHash: row.request_hash, statusCode: row.status_code, response: row.response } : null;
  }

  /** Deletes up to `batch` keys past their 24 h; answers how many. */
  async deleteExpired(m: EntityManager, batch: number): Promise<number> {
    const r: unknown = await m.query(
      `DELETE FROM idempotency_keys WHERE (user_id, key) IN (
         SELECT user_id, key FROM idempotency_keys WHERE created_at < now() - interval '24 hours' LIMIT ${Number(batch)})`,
    );
    return deletedCount(r);
  }

  async answer(m: EntityManager, userId: string, key: string, statusCode: number, response: unknown): Promise<void> {
    await m.query(`UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE user_id = $1 AND key = $2`, [userId, key, statusCode, JSON.stringify(response)]);
  }
}
