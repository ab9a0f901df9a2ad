import { Injectable } from '@nestjs/common';
import { WEBHOOK_BACKOFF } from '@handoff/contracts';
import type { AdvancedOptions, Job } from 'bullmq';
import type { AppConfig } from '../config/config.js';
import { runJob, type Handlers } from '../dispatch/job-handlers.js';
import { LoggedWorker } from '../dispatch/logged-worker.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { retryDelay } from './webhook-retry.js';

/** Sends webhook deliveries; a failed one comes back on the webhook backoff until its window ends. */
@Injectable()
export class WebhooksProcessor extends LoggedWorker {
  static readonly queue = 'webhooks';
  static readonly concurrency = 16;

  /** The worker's backoff: the same schedule the delivery log shows as the next retry. */
  static settings(config: AppConfig): AdvancedOptions {
    return {
      backoffStrategy: (attemptsMade, type, _err, job) => {
        if (type !== WEBHOOK_BACKOFF) return 0;
        const since = (job?.data as { since?: number } | undefined)?.since ?? Date.now();
        return retryDelay(attemptsMade, since, Date.now(), config.webhooks.retry) ?? 0;
      },
    };
  }

  readonly handlers: Handlers<'webhooks'> = {
    'webhooks.deliver': (p, job) => this.dispatcher.send(p, job.attemptsMade),
  };

  constructor(private readonly dispatcher: WebhookDispatcher) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob('webhooks', this.handlers, job);
  }
}
