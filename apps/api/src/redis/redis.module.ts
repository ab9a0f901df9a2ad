import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

export const REDIS = Symbol('REDIS');

/** BullMQ takes options rather than a URL. */
export function redisOptionsFromUrl(raw: string): RedisOptions {
  const url = new URL(raw);
  const db = Number(url.pathname.replace('/', '') || 0);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * Options for connections that serve requests: no offline queue and one retry,
 * so a request fails fast with a 503 while Redis is down instead of hanging.
 */
export function requestRedisOptions(): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  };
}

/** Options for BullMQ workers, which must wait out an outage rather than fail. */
export function workerRedisOptions(): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  };
}

/**
 * Requests fail fast while the connection is down, so give it a moment to come
 * up at boot; a Redis that is down at boot is reported by health, not fatal.
 */
export function waitForReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
  });
}

/** The requests' Redis connection: one per process, imported by each module that injects it. */
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        // Concurrent requests' commands (a rate-limit hit on every claim) share one write to Redis.
        const redis = new Redis(config.redisUrl, { ...requestRedisOptions(), enableAutoPipelining: true });
        redis.on('error', () => undefined); // reported through health and 503s, not as unhandled events
        await waitForReady(redis, 3_000);
        return redis;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    // quit() waits for a connection that may never come; only a ready client has anything to flush.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }
}

/**
 * Socket.IO's Redis adapter and emitter call `publish` without handling its
 * promise; with Redis down each live event would become an unhandled
 * rejection, which ends a Node process. A live event that cannot be published
 * is dropped (dashboards refetch after a reconnect); the process lives on.
 */
export function dropFailedPublishes(redis: Redis): Redis {
  const publish = redis.publish.bind(redis) as (...args: unknown[]) => Promise<number>;
  (redis as unknown as { publish: (...args: unknown[]) => Promise<number> }).publish = (...args) => publish(...args).catch(() => 0);
  return redis;
}
