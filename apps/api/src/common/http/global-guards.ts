import { applyDecorators, Controller, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { RedisWriteGuard } from '../../redis/redis-write.guard.js';
import { AuthGuard } from '../auth/auth.guard.js';
import { RateLimitGuard } from '../rate-limit/rate-limit.js';

/**
 * The guards of every route that has any work for them, in their order:
 * refuse writes while Redis is down before any database work, then
 * authenticate, so rate limits can key on the user. One guard rather than
 * three because Nest awaits each guard it runs, so three cost three promise
 * hops on every request, public ones included; here a request that needs
 * nothing asynchronous gets one.
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

/**
 * `@Controller` with `GlobalGuards` on every route. Controllers take the
 * guards this way rather than through `APP_GUARD` because Nest runs a global
 * guard, with its execution context and promise hop, on every route, the
 * probes included, where it has nothing to check: 8 % of a liveness answer's
 * CPU. Only a controller whose routes are all public reads without a rate
 * limit may do without (the health probes); `guarded-controllers.spec.ts`
 * checks every controller of the app for that.
 */
export function GuardedController(prefix?: string): ClassDecorator {
  return applyDecorators(prefix === undefined ? Controller() : Controller(prefix), UseGuards(GlobalGuards));
}
