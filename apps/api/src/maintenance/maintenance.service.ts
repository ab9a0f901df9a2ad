import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RefreshTokensRepository } from '../auth/refresh-tokens.repository.js';
import { IdempotencyRepository } from '../common/http/idempotency.repository.js';
import { tryAdvisoryXactLock } from '../database/sql.js';
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
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly idempotency: IdempotencyRepository,
    private readonly refreshTokens: RefreshTokensRepository,
  ) {}

  run(): ReturnType<Maintenance['sweep']> {
    return this.sweep();
  }

  async sweep(): Promise<{ idempotencyKeys: number; refreshTokens: number } | null> {
    return this.ds.transaction(async (m) => {
      if (!(await tryAdvisoryXactLock(m, 'handoff:maintenance'))) return null;
      return { idempotencyKeys: await this.idempotency.deleteExpired(m, BATCH), refreshTokens: await this.refreshTokens.deleteExpired(m, BATCH) };
    });
  }
}
