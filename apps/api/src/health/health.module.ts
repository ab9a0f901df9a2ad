import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisHealthIndicator } from './redis.health.js';

/**
 * What the probes check with. `HealthController` itself is registered with the app's controllers, where
 * the guard check of every controller finds it.
 */
@Module({
  // Readiness failing is reported by its 503; the error log on every failed probe would only repeat it.
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [RedisHealthIndicator],
  exports: [TerminusModule, RedisHealthIndicator],
})
export class HealthModule {}
