import { Inject } from '@nestjs/common';
import { jobId } from '@handoff/contracts';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { jobRequest, JobsService, type JobRequest } from '../dispatch/jobs.service.js';
import { PeriodicJob } from '../scheduling/periodic-job.js';
import { TasksRepository, type TimerKind } from '../tasks/tasks.repository.js';

export type { TimerKind };

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
    case 'review-reminder':
      return jobRequest('timers.review-reminder', { taskId: t.taskId, version: t.version }, { jobId: jobId.reviewReminder(t.taskId, t.version), delay });
  }
}

/**
 * How often to sweep: every half horizon, so a timer is queued at least half a
 * horizon before it fires, but at least hourly, however long the horizon.
 */
export function sweepEveryMs(horizonMs: number): number {
  return Math.min(horizonMs / 2, 3_600_000);
}

/**
 * Timers due further out than `TIMER_HORIZON` are not queued when their
 * change is relayed: this sweep, every half horizon (at least hourly), queues
 * from the database those that have come within it. Redis then holds only what
 * falls due soon, not a delayed job for every open task's deadline days ahead,
 * and work that ends before its timers come near (most of it) never costs a
 * job. Because it reads the state rather than the changes, it also rebuilds
 * the timers of a Redis that lost its data (its scheduler, made anew there,
 * runs at once), and follows a version that moved after the job was queued (a
 * claimed task flagged overdue). A job scheduler runs it once per interval
 * across all workers; running twice only re-adds existing ids.
 */
@PeriodicJob({ name: 'timers.sweep', schedule: (config) => ({ every: sweepEveryMs(config.timerHorizonMs) }) })
export class TimerSweep {
  constructor(
    private readonly tasks: TasksRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
  ) {}

  async run(): Promise<{ queued: number }> {
    return { queued: await this.sweep() };
  }

  /** Queues every timer due within the horizon; returns how many it asked for. */
  async sweep(): Promise<number> {
    const now = Date.now();
    const until = new Date(now + this.config.timerHorizonMs);
    const rows = await this.tasks.dueTimers(until, this.config);
    const jobs = rows.map((r) => timerJob({ kind: r.kind, taskId: r.id, version: r.version, due: r.due.getTime() }, now));
    for (let i = 0; i < jobs.length; i += 1_000) await this.jobs.addAll(jobs.slice(i, i + 1_000));
    return jobs.length;
  }
}
