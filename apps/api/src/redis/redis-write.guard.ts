import { HttpException, HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from './redis.module.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * While Redis is down the API is read-only: a write would commit work that no
 * queue can dispatch or time, and its rate limit could not be counted. The
 * request connection's status flips the moment the socket closes, so the
 * refusal costs no round trip and answers at once; the outbox still relays
 * what was committed before, once Redis is back.
 */
@Injectable()
export class RedisWriteGuard implements CanActivate {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<{ method: string }>();
    if (READS.has(req.method) || this.redis.status === 'ready') return true;
    throw new HttpException(
      { statusCode: 503, error: 'Service Unavailable', message: 'Redis is unavailable, so changes are paused; retry shortly', retryAfterSeconds: 2 },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
