import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

// One fixed window per key: the first hit starts it, later hits only count. One script, so two instances
// counting the same key at once cannot both see the count before the other's hit.
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
type HitRedis = Redis & { handoffRateHit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * `@nestjs/throttler` storage on the app's Redis, so a limit holds across every API instance. The key
 * is the guard's (already carrying the Redis prefix). A caller over the limit stays refused until its
 * window ends, as before the throttler: `blockDuration` is not a separate lock here.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: HitRedis;

  constructor(redis: Redis) {
    // A defined command runs by EVALSHA (the script's body goes over the wire once, not on every hit).
    redis.defineCommand('handoffRateHit', { numberOfKeys: 1, lua: HIT });
    this.redis = redis as HitRedis;
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const [totalHits, pttl] = await this.redis.handoffRateHit(key, ttl);
    // Seconds, rounded up, as the throttler's own storage answers; never 0 while refusing.
    const timeToExpire = Math.max(1, Math.ceil((pttl > 0 ? pttl : ttl) / 1000));
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }
}
