import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowsOf } from '../database/sql.js';

const EVERY_MS = 15 * 60_000;
const BATCH = 5_000;

/**
 * Deletes what has outlived its purpose, so these tables stay the size of
 * their window rather than growing forever: idempotency keys after their
 * 24 h, refresh tokens a day after they expired (an expired token is refused
 * anyway, reused or not). Runs where workers run; an advisory lock keeps two
 * instances from doing it at once.
 */
@Injectable()
export class Maintenance implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('maintenance');
  private timer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((e: unknown) => this.logger.warn(`sweep failed, will retry: ${e instanceof Error ? e.message : String(e)}`));
    }, EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<{ idempotencyKeys: number; refreshTokens: number } | null> {
    return this.ds.transaction(async (m) => {
      const [lock] = rowsOf<{ ok: boolean }>(await m.query(`SELECT pg_try_advisory_xact_lock(hashtext('handoff:maintenance')) AS ok`));
      if (!lock?.ok) return null;
      const keys = await m.query(
        `DELETE FROM idempotency_keys WHERE (user_id, key) IN (
           SELECT user_id, key FROM idempotency_keys WHERE created_at < now() - interval '24 hours' LIMIT ${BATCH})`,
      );
      const tokens = await m.query(
        `DELETE FROM refresh_tokens WHERE id IN (
           SELECT id FROM refresh_tokens WHERE expires_at < now() - interval '1 day' LIMIT ${BATCH})`,
      );
      const count = (r: unknown) => (Array.isArray(r) && typeof r[1] === 'number' ? r[1] : 0);
      return { idempotencyKeys: count(keys), refreshTokens: count(tokens) };
    });
  }
}
