import { BullModule, Processor } from '@nestjs/bullmq';
import { Module, type DynamicModule, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { AdvancedOptions, ConnectionOptions } from 'bullmq';
import type { AppConfig } from '../config/config.js';
import { DispatchProcessor } from '../dispatch/dispatch.processor.js';
import { assertEveryJobHandled } from '../dispatch/job-handlers.js';
import type { LoggedWorker } from '../dispatch/logged-worker.js';
import { QueuesModule } from '../dispatch/queues.module.js';
import { Maintenance } from '../maintenance/maintenance.service.js';
import { MailProcessor } from '../notifications/mail.processor.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { redisOptionsFromUrl, RedisModule, workerRedisOptions } from '../redis/redis.module.js';
import { PERIODIC_QUEUE, PeriodicProcessor } from '../scheduling/periodic.processor.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { TimerSweep } from '../timers/timer-sweep.js';
import { TimersProcessor } from '../timers/timers.processor.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { WebhooksProcessor } from '../webhooks/webhooks.processor.js';
import { WorkerWatchdog } from './worker-watchdog.js';
import { ImportsModule } from '../imports/imports.module.js';
import { ImportsProcessor } from '../imports/imports.processor.js';

type ProcessorClass<T extends LoggedWorker> = Type<T> & { queue: string; concurrency: number; settings?: (config: AppConfig) => AdvancedOptions };

/**
 * `@Processor` options are static metadata, but lock and stall settings come
 * from the environment; a subclass per module instance carries them, so two
 * apps with different settings in one process (the tests) don't share them.
 */
function withWorkerOptions<T extends LoggedWorker>(base: ProcessorClass<T>, config: AppConfig): Type<T> {
  const configured = class extends (base as unknown as Type<object>) {};
  Object.defineProperty(configured, 'name', { value: base.name });
  Processor(base.queue, {
    // Without its own connection a worker takes its queue's, which is the producers': failing fast
    // and auto-pipelined, which costs a pipeline object per command of the worker's own loop.
    connection: { ...redisOptionsFromUrl(config.redisUrl), ...workerRedisOptions() } as ConnectionOptions,
    concurrency: base.concurrency,
    lockDuration: config.worker.lockDurationMs,
    stalledInterval: config.worker.stalledIntervalMs,
    maxStalledCount: config.worker.maxStalledCount,
    // BullMQ waits 15 s by default before fetching again after a Redis error; resume soon after Redis is back.
    runRetryDelay: 1_000,
    ...(base.settings ? { settings: base.settings(config) } : {}),
  })(configured);
  return configured as unknown as Type<T>;
}

/** The BullMQ processors and the periodic jobs they run (timer sweep, maintenance); loaded in the `worker` and `all` roles only. */
@Module({})
export class WorkersModule implements OnModuleInit {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkersModule,
      imports: [QueuesModule, TasksModule, NotificationsModule, RealtimeModule, WebhooksModule, ImportsModule, RedisModule, DiscoveryModule, BullModule.registerQueue({ name: PERIODIC_QUEUE })],
      providers: [
        { provide: DispatchProcessor, useClass: withWorkerOptions(DispatchProcessor, config) },
        { provide: TimersProcessor, useClass: withWorkerOptions(TimersProcessor, config) },
        { provide: PeriodicProcessor, useClass: withWorkerOptions(PeriodicProcessor, config) },
        { provide: MailProcessor, useClass: withWorkerOptions(MailProcessor, config) },
        { provide: WebhooksProcessor, useClass: withWorkerOptions(WebhooksProcessor, config) },
        { provide: ImportsProcessor, useClass: withWorkerOptions(ImportsProcessor, config) },
        WorkerWatchdog,
        Maintenance,
        TimerSweep,
      ],
    };
  }

  constructor(
    private readonly dispatch: DispatchProcessor,
    private readonly timers: TimersProcessor,
    private readonly mail: MailProcessor,
    private readonly webhooks: WebhooksProcessor,
    private readonly imports: ImportsProcessor,
  ) {}

  onModuleInit(): void {
    assertEveryJobHandled({ dispatch: this.dispatch.handlers, timers: this.timers.handlers, mail: this.mail.handlers, webhooks: this.webhooks.handlers, imports: this.imports.handlers });
  }
}
