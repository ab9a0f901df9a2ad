import { HttpException, HttpStatus, Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../../config/config.js';
import { perRoute } from '../http/route-metadata.js';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';

export interface RateLimitSpec {
  /** The counter's name; routes that share a name share their counters (claim and claim-next). */
  name: string;
  limit: (config: AppConfig) => number;
  /** Who one caller is: the address, or the signed-in user. */
  tracker: (req: RateLimitedRequest) => string;
}

export interface RateLimitedRequest {
  ip: string;
  body?: unknown;
  user?: { id: string };
}

export const RATE_LIMIT = 'handoff:rate-limit';
export const RateLimit = (spec: RateLimitSpec) => SetMetadata(RATE_LIMIT, spec);

export const byIp = (req: RateLimitedRequest) => `ip:${req.ip}`;
export const byUser = (req: RateLimitedRequest) => (req.user ? `user:${req.user.id}` : `ip:${req.ip}`);

/** 429 with the seconds to wait (the error filter turns them into Retry-After). */
export function tooManyRequests(what: string, waitMs: number): HttpException {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new HttpException(
    { statusCode: 429, error: 'Too Many Requests', message: `${what}; retry in ${retryAfterSeconds} s`, retryAfterSeconds },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

const specOf = perRoute((handler) => Reflect.getMetadata(RATE_LIMIT, handler) as RateLimitSpec | undefined);

/**
 * The throttler's options: one throttler whose limit, caller and key come from the route's
 * `@RateLimit`, a window of RATE_LIMIT_WINDOW, counted in Redis under the app's prefix
 * (`<prefix>:rl:<name>:<caller>`). No X-RateLimit-* headers: a refusal says Retry-After, as before.
 */
export function throttlerOptions(config: AppConfig, redis: Redis): ThrottlerModuleOptions {
  const route = (ctx: ExecutionContext) => specOf(ctx)!;
  return {
    throttlers: [
      {
        name: 'default',
        ttl: config.rateLimits.windowMs,
        limit: (ctx) => route(ctx).limit(config),
        getTracker: (req, ctx) => route(ctx).tracker(req as RateLimitedRequest),
        generateKey: (ctx, tracker) => `${config.redisPrefix}:rl:${route(ctx).name}:${tracker}`,
      },
    ],
    storage: new RedisThrottlerStorage(redis),
    setHeaders: false,
  };
}

/** `ThrottlerGuard` answering the API's 429: the limit's name and the seconds left in its window. */
@Injectable()
export class HandoffThrottlerGuard extends ThrottlerGuard {
  constructor(@InjectThrottlerOptions() options: ThrottlerModuleOptions, @InjectThrottlerStorage() storage: ThrottlerStorage, reflector: Reflector) {
    super(options, storage, reflector);
  }

  protected override throwThrottlingException(ctx: ExecutionContext, detail: { timeToBlockExpire: number }): Promise<void> {
    throw tooManyRequests(`too many ${specOf(ctx)!.name} attempts`, detail.timeToBlockExpire * 1000);
  }
}

/** Runs after authentication so per-user limits can see the user. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(@Inject(HandoffThrottlerGuard) private readonly throttler: HandoffThrottlerGuard) {}

  // Not `async`: most routes have no limit and pass without a promise, and without the throttler.
  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    if (ctx.getType() !== 'http' || !specOf(ctx)) return true;
    return this.throttler.canActivate(ctx);
  }
}
