import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { jobId } from '@handoff/contracts';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { query } from '../database/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { REDIS } from '../redis/redis.module.js';
import { jobRequest, JobsService, type JobRequest } from './jobs.service.js';
import { Recurring } from '../redis/recurring.js';

export type TimerKind = 'deadline' | 'escalation' | 'claim-expiry' | 'auto-accept';

/** A timer a task's state calls for: fires at `due` (epoch ms). */
export interface DueTimer {
  kind: TimerKind;
  taskId: string;
  version: number;
  due: number;
}

/** The delayed job for a timer; its id is deterministic, so queueing it again adds nothing. */
export function timerJob(t: DueTimer, now: number): JobRequest {
  const delay = t.due - now;
  switch (t.kind) {
    case 'deadline':
      return jobRequest('timers.deadline', { taskId: t.taskId }, { jobId: jobId.deadline(t.taskId), delay });
    case 'escalation':
      return jobRequest('timers.escalation', { taskId: t.taskId, version: t.version }, { jobId: jobId.escalation(t.taskId, t.version), delay });
    case 'claim-expiry':
      return jobRequest('timers.claim-expiry', { taskId: t.taskId, version: t.version }, { jobId: jobId.claimExpiry(t.taskId, t.version), delay });
    case 'auto-accept':
      return jobRequest('timers.auto-accept', { taskId: t.taskId, version: t.version }, { jobId: jobId.autoAccept(t.taskId, t.version), delay });
  }
}

/**
 * How often to sweep: every half horizon, so a timer is queued at least half a
 * horizon before it fires, but at least hourly (a long horizon would otherwise
 * overflow `setInterval`, which fires at once past 24.8 days).
 */
export function sweepEveryMs(horizonMs: number): number {
  return Math.min(horizonMs / 2, 3_600_000);
}

/**
 * Every timer the tasks' current state calls for that falls due by $1 (a
 * timestamp), with the version its job must name. The same rules as the
 * relay's: a deadline while not yet returned or flagged; escalation half-way
 * from submission to deadline while queued and not escalated; claim expiry a
 * claim window after the claim; auto-accept a review window after the last
 * return (a returned task changes only by leaving `returned`, so `updated_at`
 * is that return). Each branch reads a partial index of open, queued, claimed
 * or returned tasks, never the whole table.
 */
export const DUE_TIMERS_SQL = `
  SELECT 'deadline' AS kind, id, version, deadline AS due FROM tasks
   WHERE status IN ('queued', 'claimed', 'in_progress') AND NOT overdue AND deadline <= $1::timestamptz
  UNION ALL
  SELECT 'escalation', id, version, created_at + (deadline - created_at) / 2 FROM tasks
   WHERE status = 'queued' AND NOT escalated AND created_at + (deadline - created_at) / 2 <= $1::timestamptz
  UNION ALL
  SELECT 'claim-expiry', id, version, claimed_at + $2::float8 * interval '1 millisecond' FROM tasks
   WHERE status = 'claimed' AND claimed_at <= $1::timestamptz - $2::float8 * interval '1 millisecond'
  UNION ALL
  SELECT 'auto-accept', id, version, updated_at + $3::float8 * interval '1 millisecond' FROM tasks
   WHERE status = 'returned' AND updated_at <= $1::timestamptz - $3::float8 * interval '1 millisecond'`;

/**
 * Timers due further out than `TIMER_HORIZON` are not queued when their
 * change is relayed: this sweep, every half horizon (at least hourly), queues
 * from the database those that have come within it. Redis then holds only what
 * falls due soon, not a delayed job for every open task's deadline days ahead,
 * and work that ends before its timers come near (most of it) never costs a
 * job. Because it reads the state rather than the changes, it also rebuilds
 * the timers of a Redis that lost its data, and follows a version that moved
 * after the job was queued (a claimed task flagged overdue). A lease in Redis
 * lets one process per interval do it; running twice only re-adds existing ids.
 */
@Injectable()
export class TimerSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('timers');
  private readonly loop: Recurring;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly jobs: JobsService,
  ) {
    this.loop = new Recurring(redis, sweepEveryMs(config.timerHorizonMs), () => this.leased(), this.logger, 'timer sweep');
  }

  /** A Redis that comes back may have come back empty: the loop rebuilds what is due soon at once, not at the next tick. */
  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** Sweeps unless another process did within the last interval; says whether it swept. */
  async leased(): Promise<boolean> {
    // Slightly shorter than the interval, so the process holding it can take it again on its next tick.
    const lease = Math.floor(sweepEveryMs(this.config.timerHorizonMs) * 0.9);
    const won = await this.redis.set(`${this.config.redisPrefix}:timer-sweep`, String(process.pid), 'PX', lease, 'NX');
    if (won) await this.sweep();
    return won !== null;
  }

  /** Queues every timer due within the horizon; returns how many it asked for. */
  async sweep(): Promise<number> {
    const now = Date.now();
    const until = new Date(now + this.config.timerHorizonMs);
    const rows = await query<{ kind: TimerKind; id: string; version: number; due: Date }>(this.ds, DUE_TIMERS_SQL, [
      until,
      this.config.claimWindowMs,
      this.config.reviewWindowMs,
    ]);
    const jobs = rows.map((r) => timerJob({ kind: r.kind, taskId: r.id, version: r.version, due: r.due.getTime() }, now));
    for (let i = 0; i < jobs.length; i += 1_000) await this.jobs.addAll(jobs.slice(i, i + 1_000));
    return jobs.length;
  }
}
