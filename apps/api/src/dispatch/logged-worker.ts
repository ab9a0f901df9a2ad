import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';

/** A worker host that reports connection trouble once in a while and every failed job. */
export abstract class LoggedWorker extends WorkerHost {
  protected readonly logger = new Logger(this.constructor.name);
  private lastError = 0;

  @OnWorkerEvent('error')
  onError(e: Error): void {
    if (Date.now() - this.lastError < 10_000) return;
    this.lastError = Date.now();
    this.logger.warn(`worker: ${e.message}`);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, e: Error): void {
    this.logger.warn({ jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade, err: e.message }, 'job failed');
  }
}
