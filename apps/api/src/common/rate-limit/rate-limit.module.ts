import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { REDIS, RedisModule } from '../../redis/redis.module.js';
import { LoginThrottle } from './login-throttle.js';
import { HandoffThrottlerGuard, RateLimitGuard, throttlerOptions } from './rate-limit.js';

/** Fixed-window limits (@nestjs/throttler) and the sign-in throttle, both kept in Redis so they hold across instances. */
@Module({
  imports: [
    RedisModule,
    ThrottlerModule.forRootAsync({ imports: [RedisModule], inject: [APP_CONFIG, REDIS], useFactory: (config: AppConfig, redis: Redis) => throttlerOptions(config, redis) }),
  ],
  providers: [HandoffThrottlerGuard, RateLimitGuard, LoginThrottle],
  exports: [HandoffThrottlerGuard, RateLimitGuard, LoginThrottle],
})
export class RateLimitModule {}
