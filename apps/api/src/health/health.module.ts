import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisModule } from '../redis/redis.module.js';
import { HealthController } from './health.controller.js';
import { RedisHealthIndicator } from './redis.health.js';

/** Readiness and liveness: public reads without guards (see `GuardedController`), checked with terminus. */
@Module({
  // Readiness failing is reported by its 503; the error log on every failed probe would only repeat it.
  imports: [RedisModule, TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator],
})
export class HealthModule {}
