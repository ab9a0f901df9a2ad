import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Public } from '../common/auth/decorators.js';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../common/http/error-filter.js';
import { REDIS } from '../redis/redis.module.js';

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Readiness: 200 when PostgreSQL and Redis both answer, 503 naming the one that does not. */
  @Get()
  async check(@Res() reply: FastifyReply): Promise<void> {
    const [postgres, redis] = await Promise.all([
      withTimeout(this.ds.query('SELECT 1'), PROBE_TIMEOUT_MS).then(() => 'up' as const, () => 'down' as const),
      withTimeout(this.redis.ping(), PROBE_TIMEOUT_MS).then(() => 'up' as const, () => 'down' as const),
    ]);
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
  live() {
    return { status: 'ok' };
  }
}
