import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
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

  constructor(@InjectQueue('dispatch') dispatch: Queue, @InjectQueue('timers') timers: Queue) {
    this.queues = { dispatch, timers };
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
