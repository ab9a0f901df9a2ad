import { HttpException, HttpStatus, Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { REDIS } from '../../redis/redis.module.js';
import { perRoute } from '../http/route-metadata.js';

// Fixed-window counters in Redis, so a limit holds across every API instance.
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

export interface RateLimitSpec {
  name: string;
  limit: (config: AppConfig) => number;
  /** What one caller is: the IP, the account, or both (each counted separately). */
  keys: (req: RateLimitedRequest) => string[];
}

export interface RateLimitedRequest {
  ip: string;
  body?: unknown;
  user?: { id: string };
}

export const RATE_LIMIT = 'handoff:rate-limit';
export const RateLimit = (spec: RateLimitSpec) => SetMetadata(RATE_LIMIT, spec);

export const byIp = (req: RateLimitedRequest) => [`ip:${req.ip}`];
export const byUser = (req: RateLimitedRequest) => (req.user ? [`user:${req.user.id}`] : [`ip:${req.ip}`]);

/** 429 with the seconds to wait (the error filter turns them into Retry-After). */
export function tooManyRequests(what: string, waitMs: number): HttpException {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new HttpException(
    { statusCode: 429, error: 'Too Many Requests', message: `${what}; retry in ${retryAfterSeconds} s`, retryAfterSeconds },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

@Injectable()
export class RateLimiter {
  private readonly redis: Redis & { handoffRateHit(key: string, windowMs: number): Promise<[number, number]> };

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A defined command runs by EVALSHA (the script's body goes over the wire once, not on every hit).
    redis.defineCommand('handoffRateHit', { numberOfKeys: 1, lua: HIT });
    this.redis = redis as RateLimiter['redis'];
  }

  /** Count one hit; throws 429 with the seconds to wait once any key is over its limit. */
  async hit(name: string, keys: string[], limit: number): Promise<void> {
    const windowMs = this.config.rateLimits.windowMs;
    for (const key of keys) {
      const [count, ttl] = await this.redis.handoffRateHit(`${this.config.redisPrefix}:rl:${name}:${key}`, windowMs);
      if (count > limit) throw tooManyRequests(`too many ${name} attempts`, ttl > 0 ? ttl : windowMs);
    }
  }
}

/** Runs after authentication so per-user limits can see the user. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly specOf: (ctx: ExecutionContext) => RateLimitSpec | undefined;

  constructor(
    reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.specOf = perRoute((handler) => reflector.get<RateLimitSpec | undefined>(RATE_LIMIT, handler));
  }

  // Not `async`: most routes have no limit and pass without a promise.
  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const spec = this.specOf(ctx);
    if (!spec) return true;
    const req = ctx.switchToHttp().getRequest<RateLimitedRequest>();
    return this.limiter.hit(spec.name, spec.keys(req), spec.limit(this.config)).then(() => true);
  }
}
