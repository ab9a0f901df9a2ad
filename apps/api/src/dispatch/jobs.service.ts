import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { JOB_QUEUE, JOB_SCHEMAS, type JobName, type JobPayloads, type QueueName } from '@handoff/contracts';
import type { JobsOptions, Queue } from 'bullmq';

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3_600 },
};

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

  /** `add` (not `addBulk`) so the deterministic job id deduplicates. */
  async add<K extends JobName>(name: K, payload: JobPayloads[K], opts: { jobId: string; delay?: number }): Promise<void> {
    const data = JOB_SCHEMAS[name].parse(payload);
    await this.queues[JOB_QUEUE[name]].add(name, data, { jobId: opts.jobId, delay: Math.max(0, Math.round(opts.delay ?? 0)) });
  }
}
