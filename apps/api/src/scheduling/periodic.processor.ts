import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job, Queue, RepeatOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { LoggedWorker } from '../dispatch/logged-worker.js';
import { REDIS } from '../redis/redis.module.js';
import { PERIODIC_JOB, type PeriodicJobOptions, type PeriodicWork, type Schedule } from './periodic-job.js';

/** Not one of the contracts' queues: nothing outside the workers adds to it, and its jobs carry no payload. */
export const PERIODIC_QUEUE = 'periodic';

export function repeatOptions(schedule: Schedule, now = Date.now()): Omit<RepeatOptions, 'key'> {
  if ('pattern' in schedule) return { pattern: schedule.pattern, tz: schedule.tz };
  // Only a new scheduler (or one whose period changed) reads the start; an existing one keeps its slots.
  return schedule.first === 'after-period' ? { every: schedule.every, startDate: now + schedule.every } : { every: schedule.every };
}

/** A scheduler's job id is `repeat:<scheduler>:<slot in epoch ms>`; the slot names the period. */
export function periodOf(job: Pick<Job, 'id' | 'timestamp'>): Date {
  const slot = Number(/:(\d+)$/.exec(job.id ?? '')?.[1]);
  return new Date(Number.isFinite(slot) ? slot : job.timestamp);
}

/**
 * Runs every `@PeriodicJob` provider of the app on a BullMQ job scheduler:
 * the scheduler makes one job per period in Redis, so any number of workers
 * run it once per period, and a failed run is retried and logged like any
 * job. Schedulers are upserted when workers start (an existing one keeps its
 * slots) and again whenever Redis is back, which may have lost them; ones no
 * provider names any more are removed.
 */
@Injectable()
export class PeriodicProcessor extends LoggedWorker implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  static readonly queue = PERIODIC_QUEUE;
  static readonly concurrency = 4;
  private readonly jobs = new Map<string, { options: PeriodicJobOptions; work: PeriodicWork }>();
  private registering: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly onReady = () => void this.register();

  constructor(
    private readonly discovery: DiscoveryService,
    @InjectQueue(PERIODIC_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    super();
    // A queue's connection errors are emitted as events, and an 'error' nobody hears ends the process.
    queue.on('error', (e: Error) => this.onError(e));
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: PERIODIC_JOB.KEY })) {
      const options = this.discovery.getMetadataByDecorator(PERIODIC_JOB, wrapper)!;
      if (this.jobs.has(options.name)) throw new Error(`two periodic jobs are named ${options.name}`);
      this.jobs.set(options.name, { options, work: wrapper.instance as PeriodicWork });
    }
  }

  /** Not awaited: a Redis that is away at boot must not hold the boot up; `ready` registers once it is back. */
  onApplicationBootstrap(): void {
    this.redis.on('ready', this.onReady);
    void this.register();
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.redis.off('ready', this.onReady);
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  /** Upserts every scheduler; calls made meanwhile coalesce into one more pass. Resolves when this pass is done. */
  register(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.registering) {
      this.again = true;
      return this.registering;
    }
    this.registering = this.upsertAll()
      .catch((e: unknown) => {
        if (!this.closed) this.logger.warn(`periodic jobs not registered, will retry when Redis is back: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => {
        this.registering = null;
        if (this.again) {
          this.again = false;
          void this.register();
        }
      });
    return this.registering;
  }

  private async upsertAll(): Promise<void> {
    for (const [name, { options }] of this.jobs) {
      await this.queue.upsertJobScheduler(name, repeatOptions(options.schedule(this.config)), { name });
    }
    for (const scheduler of await this.queue.getJobSchedulers(0, -1)) {
      if (!this.jobs.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
    }
  }

  process(job: Job): Promise<unknown> {
    const entry = this.jobs.get(job.name);
    if (!entry) return Promise.reject(new Error(`no periodic job named ${job.name} in this build`));
    return entry.work.run({ period: periodOf(job) });
  }
}
