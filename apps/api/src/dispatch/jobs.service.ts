import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { RETRY_JOBS_MAX, JOB_QUEUE, JOB_SCHEMAS, WEBHOOK_BACKOFF, WEBHOOK_MAX_ATTEMPTS, type FailedJob, type FailedJobsPage, type JobName, type JobPayloads, type QueueName, type RetryJobsResult } from '@handoff/contracts';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { createHash } from 'node:crypto';

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3_600 },
};

/**
 * Queues whose jobs want other defaults. Mail keeps no copy once sent (a reset link in Redis
 * is a live credential) and two days once failed; an SMTP server down for a while is retried
 * for about a day. Webhook deliveries retry on the webhooks worker's backoff until their window ends.
 */
export const QUEUE_JOB_OPTIONS: Partial<Record<QueueName, JobsOptions>> = {
  mail: { attempts: 14, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: true, removeOnFail: { age: 2 * 24 * 3_600 } },
  webhooks: { attempts: WEBHOOK_MAX_ATTEMPTS, backoff: { type: WEBHOOK_BACKOFF } },
  // A run resumes where its last chunk committed, so retrying for a while is safe; kept a day so a confirm then re-adds nothing.
  imports: { attempts: 10, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: { age: 24 * 3_600 } },
};

/** One job to add: a name fixes its queue and its payload's shape. */
export interface JobRequest<K extends JobName = JobName> {
  name: K;
  payload: JobPayloads[K];
  jobId: string;
  delay?: number;
}

export function jobRequest<K extends JobName>(name: K, payload: JobPayloads[K], opts: { jobId: string; delay?: number }): JobRequest<K> {
  return { name, payload, ...opts };
}

/** The same task versions give the same id, whatever their order: a batch relayed twice is one job. */
export function announceJobId(tasks: readonly { taskId: string; version: number }[]): string {
  const digest = createHash('sha256');
  for (const key of tasks.map((t) => `${t.taskId}/${t.version}`).sort()) digest.update(key).update(',');
  return `announce/${digest.digest('base64url')}`;
}

/** The tasks a job is about: an announce carries a batch of them, a timer one. */
export function taskIdsOf(data: unknown): string[] {
  const d = (data ?? {}) as { tasks?: unknown; taskId?: unknown };
  if (Array.isArray(d.tasks)) return d.tasks.flatMap((t: { taskId?: unknown }) => (typeof t?.taskId === 'string' ? [t.taskId] : []));
  return typeof d.taskId === 'string' ? [d.taskId] : [];
}

function failedView(job: Job): FailedJob {
  return {
    id: job.id!,
    name: job.name,
    failedReason: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    taskIds: taskIdsOf(job.data),
  };
}

/** What BullMQ throws when a job to retry is gone or no longer failed: the retry lost a race, nothing broke. */
const NOT_FAILED = /^(Missing key for job|Job .* is not in the failed state)/;

/** The typed producer: a job name fixes its queue and its payload's shape. */
@Injectable()
export class JobsService {
  private readonly queues: Record<QueueName, Queue>;
  private readonly logger = new Logger('queues');
  private lastError = 0;

  constructor(
    @InjectQueue('dispatch') dispatch: Queue,
    @InjectQueue('timers') timers: Queue,
    @InjectQueue('mail') mail: Queue,
    @InjectQueue('webhooks') webhooks: Queue,
    @InjectQueue('imports') imports: Queue,
  ) {
    this.queues = { dispatch, timers, mail, webhooks, imports };
    // A Redis outage is reported by health and 503s; log it once in a while, not per reconnect attempt.
    for (const q of Object.values(this.queues)) {
      q.on('error', (e: Error) => {
        if (Date.now() - this.lastError < 10_000) return;
        this.lastError = Date.now();
        this.logger.warn(`queue ${q.name}: ${e.message}`);
      });
    }
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  allQueues(): Queue[] {
    return Object.values(this.queues);
  }

  /** Newest failure first. BullMQ keeps failed jobs for `removeOnFail`, 14 days. */
  async failed(name: QueueName, limit: number): Promise<FailedJobsPage> {
    const q = this.queues[name];
    const [jobs, total] = await Promise.all([q.getFailed(0, limit - 1), q.getFailedCount()]);
    return { items: jobs.filter((j): j is Job => Boolean(j)).map(failedView), total };
  }

  /**
   * Moves failed jobs back to waiting with a fresh set of attempts. Every job
   * here is safe to run twice: each acts through a conditional update on the
   * task version it names, and an announce re-reads the tasks' current state.
   */
  async retryFailed(name: QueueName, ids?: readonly string[]): Promise<RetryJobsResult & { retriedIds: string[] }> {
    const q = this.queues[name];
    // Named ids are looked up; without them, the failed list already holds the jobs themselves.
    const named = ids ? [...new Set(ids)] : null;
    const jobs: (Job | undefined)[] = named
      ? await Promise.all(named.map((id) => q.getJob(id)))
      : (await q.getFailed(0, RETRY_JOBS_MAX - 1)).filter((j): j is Job => Boolean(j?.id));
    const wanted = named ?? jobs.map((j) => j!.id!);
    const outcomes = await Promise.all(
      jobs.map(async (job) => {
        if (!job) return false;
        try {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          return true;
        } catch (e) {
          if (NOT_FAILED.test((e as Error).message)) return false;
          throw e;
        }
      }),
    );
    const retriedIds = wanted.filter((_, i) => outcomes[i]);
    return { retried: retriedIds.length, skipped: wanted.filter((_, i) => !outcomes[i]), retriedIds };
  }

  add<K extends JobName>(name: K, payload: JobPayloads[K], opts: { jobId: string; delay?: number }): Promise<void> {
    return this.addAll([jobRequest(name, payload, opts)]);
  }

  /**
   * One pipelined round trip per queue. BullMQ's `addBulk` runs each job's own
   * add script, so a deterministic id that already exists still adds nothing.
   */
  async addAll(requests: readonly JobRequest[]): Promise<void> {
    const byQueue = new Map<QueueName, Parameters<Queue['addBulk']>[0]>();
    for (const r of requests) {
      const queue = JOB_QUEUE[r.name];
      const data = JOB_SCHEMAS[r.name].parse(r.payload);
      const list = byQueue.get(queue) ?? byQueue.set(queue, []).get(queue)!;
      list.push({ name: r.name, data, opts: { jobId: r.jobId, delay: Math.max(0, Math.round(r.delay ?? 0)) } });
    }
    await Promise.all([...byQueue].map(([queue, jobs]) => this.queues[queue].addBulk(jobs)));
  }
}
