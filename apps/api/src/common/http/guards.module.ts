import { Module } from '@nestjs/common';
import { RedisModule } from '../../redis/redis.module.js';
import { RedisWriteGuard } from '../../redis/redis-write.guard.js';
import { SessionsModule } from '../auth/sessions.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';

/**
 * What a module needs to host a `GuardedController`: Nest builds the controller's
 * `GlobalGuards` in that module, from the three guards this exports.
 */
@Module({
  imports: [RedisModule, SessionsModule, RateLimitModule],
  providers: [RedisWriteGuard],
  exports: [RedisWriteGuard, SessionsModule, RateLimitModule],
})
export class GuardsModule {}
