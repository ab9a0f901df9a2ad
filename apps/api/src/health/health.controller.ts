import { Controller, Get, ServiceUnavailableException, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/decorators.js';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../common/http/error-filter.js';
import { RedisHealthIndicator } from './redis.health.js';

const PROBE_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  /** Readiness: 200 when PostgreSQL and Redis both answer, 503 naming the one that does not. */
  @Get()
  async check(@Res() reply: FastifyReply): Promise<void> {
    const result = await this.health
      .check([() => this.postgres.pingCheck('postgres', { timeout: PROBE_TIMEOUT_MS }), () => this.redis.pingCheck('redis', PROBE_TIMEOUT_MS)])
      .catch((e: unknown) => {
        // Terminus answers a failed check with a 503 carrying the whole result.
        if (e instanceof ServiceUnavailableException) return e.getResponse() as HealthCheckResult;
        throw e;
      });
    const state = (key: 'postgres' | 'redis') => (result.details[key]?.status === 'up' ? ('up' as const) : ('down' as const));
    const postgres = state('postgres');
    const redis = state('redis');
    const down = [postgres === 'down' && 'postgres', redis === 'down' && 'redis'].filter(Boolean);
    if (!down.length) {
      await reply.status(200).send({ status: 'ok', postgres, redis });
      return;
    }
    // Like every 503, it says when to ask again.
    await reply.status(503).header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS)).send({
      statusCode: 503,
      error: 'Service Unavailable',
      message: `${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} not answering`,
      status: 'degraded',
      postgres,
      redis,
    });
  }

  /** Liveness: the process answers; touches nothing else. */
  @Get('live')
  // Not through terminus: there is nothing to check, and its empty check measured ~1 µs of CPU per probe for no use.
  live() {
    return { status: 'ok' };
  }
}
