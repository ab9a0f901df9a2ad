import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowsOf } from '../database/sql.js';
import { PeriodicJob } from '../scheduling/periodic-job.js';

const BATCH = 5_000;

/**
 * Deletes what has outlived its purpose, so these tables stay the size of
 * their window rather than growing forever: idempotency keys after their
 * 24 h, refresh tokens a day after they expired (an expired token is refused
 * anyway, reused or not). Runs once per `MAINTENANCE_INTERVAL` where workers
 * run, the first a whole interval after the scheduler is made; an advisory
 * lock still keeps a manual sweep and a scheduled one from overlapping.
 */
@PeriodicJob({ name: 'maintenance.sweep', schedule: (config) => ({ every: config.maintenanceIntervalMs, first: 'after-period' }) })
export class Maintenance {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  run(): ReturnType<Maintenance['sweep']> {
    return this.sweep();
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
