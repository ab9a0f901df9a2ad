import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { RedisWriteGuard } from '../../redis/redis-write.guard.js';
import { AuthGuard } from '../auth/auth.guard.js';
import { RateLimitGuard } from '../rate-limit/rate-limit.js';

/**
 * Every route's guards, in their order: refuse writes while Redis is down
 * before any database work, then authenticate, so rate limits can key on the
 * user. One global guard rather than three because Nest awaits each guard it
 * runs, so three cost three promise hops on every request, public ones
 * included; here a request that needs nothing asynchronous gets one.
 */
@Injectable()
export class GlobalGuards implements CanActivate {
  constructor(
    private readonly writes: RedisWriteGuard,
    private readonly auth: AuthGuard,
    private readonly rateLimit: RateLimitGuard,
  ) {}

  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    if (!this.writes.canActivate(ctx)) return false;
    const authed = this.auth.canActivate(ctx);
    if (authed instanceof Promise) return authed.then((ok) => ok && this.rateLimit.canActivate(ctx));
    return authed && this.rateLimit.canActivate(ctx);
  }
}
