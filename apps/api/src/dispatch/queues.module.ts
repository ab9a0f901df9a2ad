import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES, WEBHOOK_BACKOFF, WEBHOOK_MAX_ATTEMPTS } from '@handoff/contracts';
import type { ConnectionOptions } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { EventsModule } from '../events/events.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { redisOptionsFromUrl, requestRedisOptions, workerRedisOptions } from '../redis/redis.module.js';
import { AnnounceSubscriber } from './announce.subscriber.js';
import { DEFAULT_JOB_OPTIONS, JobsService } from './jobs.service.js';
import { SNAPSHOTS_MAX, TaskSnapshots } from './task-snapshots.js';

// Webhook deliveries retry on the webhooks worker's backoff until their window ends.
const WEBHOOK_JOB_OPTIONS = { ...DEFAULT_JOB_OPTIONS, attempts: WEBHOOK_MAX_ATTEMPTS, backoff: { type: WEBHOOK_BACKOFF } };

/** Queues (producers) and the announce subscriber exist in every role; processors only where workers run. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: { ...redisOptionsFromUrl(config.redisUrl), ...workerRedisOptions() } as ConnectionOptions,
        prefix: config.redisPrefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    // Producers fail fast (no offline queue) so nothing waits on a Redis
    // outage; the outbox keeps what could not be relayed and retries it.
    // The relay adds a batch's jobs concurrently; auto-pipelining sends
    // them to Redis in one write instead of one round trip each.
    ...QUEUES.map((name) =>
      BullModule.registerQueueAsync({
        name,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => ({
          connection: { ...redisOptionsFromUrl(config.redisUrl), ...requestRedisOptions(), maxRetriesPerRequest: null, enableAutoPipelining: true } as ConnectionOptions,
          ...(name === 'webhooks' ? { defaultJobOptions: WEBHOOK_JOB_OPTIONS } : {}),
        }),
      }),
    ),
    EventsModule,
    RealtimeModule,
  ],
  providers: [
    JobsService,
    AnnounceSubscriber,
    // An api-only process runs no announce to hand views to.
    { provide: TaskSnapshots, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new TaskSnapshots(config.role === 'api' ? 0 : SNAPSHOTS_MAX) },
  ],
  exports: [JobsService, TaskSnapshots, BullModule],
})
export class QueuesModule {}
