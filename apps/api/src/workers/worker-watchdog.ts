import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { PeriodicProcessor } from '../scheduling/periodic.processor.js';
import { TimersProcessor } from '../timers/timers.processor.js';
import { DispatchProcessor } from '../dispatch/dispatch.processor.js';
import { WebhooksProcessor } from '../webhooks/webhooks.processor.js';

/**
 * BullMQ's main loop survives connection errors, but an error it does not
 * classify as one (a Redis restarting from its AOF answers `LOADING`, a
 * failover answers `READONLY`) ends the loop and the worker silently stops
 * taking jobs. Restart any worker that is neither running nor closing. A
 * timer of each process, not a job scheduler: a job would need the very
 * worker loops it checks.
 */
@Injectable()
export class WorkerWatchdog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('workers');
  private timer?: NodeJS.Timeout;
  /** Restarts so far, for health and tests. */
  restarts = 0;

  constructor(
    private readonly dispatch: DispatchProcessor,
    private readonly timers: TimersProcessor,
    private readonly periodic: PeriodicProcessor,
    private readonly webhooks: WebhooksProcessor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.check(), this.config.worker.watchdogIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  workers(): Worker[] {
    return [this.dispatch.worker, this.timers.worker, this.periodic.worker, this.webhooks.worker];
  }

  check(): void {
    for (const w of this.workers()) {
      if (w.closing || w.isRunning()) continue;
      this.restarts++;
      this.logger.warn(`worker ${w.name} stopped taking jobs; restarting it`);
      w.run().catch((e: unknown) => this.logger.warn(`worker ${w.name} stopped again: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
}
