import { Processor } from '@nestjs/bullmq';
import { Module, type DynamicModule, type OnModuleInit, type Type } from '@nestjs/common';
import type { QueueName } from '@handoff/contracts';
import type { ConnectionOptions } from 'bullmq';
import type { AppConfig } from '../config/config.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { redisOptionsFromUrl, RedisModule, workerRedisOptions } from '../redis/redis.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { DispatchProcessor } from './dispatch.processor.js';
import { assertEveryJobHandled } from './job-handlers.js';
import type { LoggedWorker } from './logged-worker.js';
import { Maintenance } from './maintenance.service.js';
import { QueuesModule } from './queues.module.js';
import { TimerSweep } from './timer-sweep.js';
import { TimersProcessor } from './timers.processor.js';
import { WorkerWatchdog } from './worker-watchdog.js';

type ProcessorClass<T extends LoggedWorker> = Type<T> & { queue: QueueName; concurrency: number };

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
  })(configured);
  return configured as unknown as Type<T>;
}

/** The BullMQ processors, the timer sweep and periodic maintenance; loaded in the `worker` and `all` roles only. */
@Module({})
export class WorkersModule implements OnModuleInit {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkersModule,
      imports: [QueuesModule, TasksModule, RealtimeModule, RedisModule],
      providers: [
        { provide: DispatchProcessor, useClass: withWorkerOptions(DispatchProcessor, config) },
        { provide: TimersProcessor, useClass: withWorkerOptions(TimersProcessor, config) },
        WorkerWatchdog,
        Maintenance,
        TimerSweep,
      ],
    };
  }

  constructor(
    private readonly dispatch: DispatchProcessor,
    private readonly timers: TimersProcessor,
  ) {}

  onModuleInit(): void {
    assertEveryJobHandled({ dispatch: this.dispatch.handlers, timers: this.timers.handlers });
  }
}
