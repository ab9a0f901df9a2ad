import { BullModule } from '@nestjs/bullmq';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { QUEUES } from '@handoff/contracts';
import type { ConnectionOptions } from 'bullmq';
import type { AppConfig } from '../config/config.js';
import { redisOptionsFromUrl, requestRedisOptions, workerRedisOptions } from '../redis/redis.module.js';
import { LiveEvents } from '../realtime/live-events.js';
import { DEFAULT_JOB_OPTIONS, JobsService } from './jobs.service.js';
import { EventBus } from '../events/event-bus.js';
import { OutboxRelay } from '../events/outbox.relay.js';
import { UnitOfWork } from '../events/unit-of-work.js';
import { LiveFanoutSubscriber } from '../realtime/live-fanout.subscriber.js';
import { AnnounceSubscriber } from './announce.subscriber.js';
import { TimersSubscriber } from './timers.subscriber.js';
import { SNAPSHOTS_MAX, TaskSnapshots } from './task-snapshots.js';

/** Queues (producers), the outbox relay and its subscribers exist in every role; processors only where workers run. */
@Global()
@Module({})
export class QueuesModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: QueuesModule,
      imports: [
        BullModule.forRoot({
          connection: { ...redisOptionsFromUrl(config.redisUrl), ...workerRedisOptions() } as ConnectionOptions,
          prefix: config.redisPrefix,
          defaultJobOptions: DEFAULT_JOB_OPTIONS,
        }),
        // Producers fail fast (no offline queue) so nothing waits on a Redis
        // outage; the outbox keeps what could not be relayed and retries it.
        // The relay adds a batch's jobs concurrently; auto-pipelining sends
        // them to Redis in one write instead of one round trip each.
        ...QUEUES.map((name) =>
          BullModule.registerQueue({
            name,
            connection: { ...redisOptionsFromUrl(config.redisUrl), ...requestRedisOptions(), maxRetriesPerRequest: null, enableAutoPipelining: true } as ConnectionOptions,
          }),
        ),
      ],
      providers: [
        JobsService,
        EventBus,
        OutboxRelay,
        UnitOfWork,
        LiveFanoutSubscriber,
        AnnounceSubscriber,
        TimersSubscriber,
        LiveEvents,
        // An api-only process runs no announce to hand views to.
        { provide: TaskSnapshots, useValue: new TaskSnapshots(config.role === 'api' ? 0 : SNAPSHOTS_MAX) },
      ],
      exports: [JobsService, EventBus, OutboxRelay, UnitOfWork, LiveEvents, TaskSnapshots, BullModule],
    };
  }
}
