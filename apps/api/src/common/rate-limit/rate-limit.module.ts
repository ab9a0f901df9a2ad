import { Module } from '@nestjs/common';
import { RedisModule } from '../../redis/redis.module.js';
import { LoginThrottle } from './login-throttle.js';
import { RateLimiter, RateLimitGuard } from './rate-limit.js';

/** Fixed-window limits and the sign-in throttle, both kept in Redis so they hold across instances. */
@Module({ imports: [RedisModule], providers: [RateLimiter, RateLimitGuard, LoginThrottle], exports: [RateLimiter, RateLimitGuard, LoginThrottle] })
export class RateLimitModule {}
