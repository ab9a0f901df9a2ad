import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { UnprocessableRule } from './errors.js';

const KEY_PATTERN = /^[\w.:-]{1,200}$/;
const TTL_HOURS = 24;

export interface Replayed<T> {
  replayed: true;
  statusCode: number;
  body: T;
}

/**
 * `Idempotency-Key` on creating POSTs. The key row is inserted in the same
 * transaction as what the request creates: a concurrent retry blocks on the
 * primary key until the first commits, then replays its stored answer.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  static validateKey(raw: string | string[] | undefined): string | null {
    if (raw === undefined) return null;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!key || !KEY_PATTERN.test(key)) {
      throw new BadRequestException('Idempotency-Key must be 1-200 letters, digits or . _ : -');
    }
    return key;
  }

  async run<T>(userId: string, key: string | null, request: unknown, statusCode: number, create: (m: EntityManager) => Promise<T>): Promise<T | Replayed<T>> {
    if (!key) return create(this.ds.manager);
    const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    return this.ds.transaction(async (m) => {
      // Keys past their lifetime are forgotten, so the same key may be used again.
      await m.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < now() - interval '${TTL_HOURS} hours'`, [userId, key]);
      const inserted: unknown[] = await m.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`,
        [userId, key, hash],
      );
      if (!inserted.length) {
        const [prior] = (await m.query(`SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [userId, key])) as {
          request_hash: string;
          status_code: number | null;
          response: T | null;
        }[];
        if (!prior || prior.request_hash !== hash || prior.response === null) {
          throw new UnprocessableRule('this Idempotency-Key was already used for a different request');
        }
        return { replayed: true as const, statusCode: prior.status_code ?? statusCode, body: prior.response };
      }
      const result = await create(m);
      await m.query(`UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE user_id = $1 AND key = $2`, [userId, key, statusCode, JSON.stringify(result)]);
      return result;
    });
  }
}

export function isReplayed<T>(v: T | Replayed<T>): v is Replayed<T> {
  return typeof v === 'object' && v !== null && (v as Replayed<T>).replayed === true;
}
