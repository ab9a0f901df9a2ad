import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { JOB_QUEUE, JOB_SCHEMAS, type JobName, type JobPayloads, type QueueName } from '@handoff/contracts';
import type { JobsOptions, Queue } from 'bullmq';
import { createHash } from 'node:crypto';

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3_600 },
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

/** The typed producer: a job name fixes its queue and its payload's shape. */
@Injectable()
export class JobsService {
  private readonly queues: Record<QueueName, Queue>;
  private readonly logger = new Logger('queues');
  private lastError = 0;

  constructor(@InjectQueue('dispatch') dispatch: Queue, @InjectQueue('timers') timers: Queue) {
    this.queues = { dispatch, timers };
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
