import { BadRequestException, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../events/unit-of-work.js';
import { UnprocessableRule } from './errors.js';
import { IdempotencyRepository } from './idempotency.repository.js';

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
  constructor(
    private readonly uow: UnitOfWork,
    private readonly keys: IdempotencyRepository,
  ) {}

  static validateKey(raw: string | string[] | undefined): string | null {
    if (raw === undefined) return null;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!key || !KEY_PATTERN.test(key)) {
      throw new BadRequestException('Idempotency-Key must be 1-200 letters, digits or . _ : -');
    }
    return key;
  }

  /** Without a key, `create` runs on its own (no transaction of the key's around it). */
  async run<T>(userId: string, key: string | null, request: unknown, statusCode: number, create: (m?: EntityManager) => Promise<T>): Promise<T | Replayed<T>> {
    if (!key) return create();
    const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    // The unit of work relays what `create` wrote once the key and it have committed.
    return this.uow.transaction(async (m) => {
      if (!(await this.keys.claim(m, userId, key, hash, TTL_HOURS))) {
        const prior = await this.keys.find<T>(m, userId, key);
        if (!prior || prior.requestHash !== hash || prior.response === null) {
          throw new UnprocessableRule('this Idempotency-Key was already used for a different request');
        }
        return { replayed: true as const, statusCode: prior.statusCode ?? statusCode, body: prior.response };
      }
      const result = await create(m);
      await this.keys.answer(m, userId, key, statusCode, result);
      return result;
    });
  }
}

export function isReplayed<T>(v: T | Replayed<T>): v is Replayed<T> {
  return typeof v === 'object' && v !== null && (v as Replayed<T>).replayed === true;
}
