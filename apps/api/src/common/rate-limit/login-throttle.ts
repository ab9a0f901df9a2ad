import { createHash } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { REDIS } from '../../redis/redis.module.js';
import { tooManyRequests } from './rate-limit.js';

/** How many addresses an account remembers having signed in from (the most recent ones). */
const KNOWN_ADDRESSES = 20;

// KEYS: pair (account + address), address, account, lock, known addresses. ARGV: address, window ms,
// pair limit, address limit, account limit, longest lock ms. Answers {0} to go ahead, or {1, ms to wait}.
// An attempt is counted as a failure when it starts and given back if it turns out not to be one, so
// concurrent guesses cannot slip past a limit between the check and the password check.
const BEGIN = `
local window = tonumber(ARGV[2])
local function wait(key)
  local ttl = redis.call('PTTL', key)
  if ttl > 0 then return ttl end
  return window
end
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[3]) then return {1, wait(KEYS[1])} end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[4]) then return {1, wait(KEYS[2])} end
local failures = tonumber(redis.call('GET', KEYS[3]) or '0')
local accountLimit = tonumber(ARGV[5])
if failures >= accountLimit and not redis.call('ZSCORE', KEYS[5], ARGV[1]) then
  local locked = redis.call('PTTL', KEYS[4])
  if locked > 0 then return {1, locked} end
  local lockMs = math.min(1000 * 2 ^ (failures - accountLimit), tonumber(ARGV[6]))
  redis.call('SET', KEYS[4], '1', 'PX', lockMs)
  redis.call('PEXPIRE', KEYS[3], lockMs + window)
end
for i = 1, 3 do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], window) end
end
return {0, 0}`;

// KEYS: pair, address, account, known addresses. ARGV: address, 1 if the password was right (else 0),
// now ms, how long a known address is remembered ms.
const GIVE_BACK = `
for i = 1, 3 do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n > 0 then
    if i == 1 and ARGV[2] == '1' then redis.call('DEL', KEYS[i]) else redis.call('DECR', KEYS[i]) end
  end
end
if ARGV[2] == '1' then
  local now = tonumber(ARGV[3])
  local keep = tonumber(ARGV[4])
  redis.call('ZADD', KEYS[4], now, ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - keep)
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -${KNOWN_ADDRESSES + 1})
  redis.call('PEXPIRE', KEYS[4], keep)
end
return 0`;

export interface AttemptOptions {
  /** Which factor is tried: each has its own counters, with the same limits. */
  factor?: 'password' | 'second';
  /** What counts as a failed attempt (default: a 401). */
  isFailure?: (e: unknown) => boolean;
}

type ThrottleRedis = Redis & {
  handoffLoginBegin(...args: (string | number)[]): Promise<[number, number]>;
  handoffLoginGiveBack(...args: (string | number)[]): Promise<number>;
};

/**
 * Failed sign-ins, after OWASP's authentication and credential-stuffing advice: a tight limit per
 * account and address, a looser one per address over every account, and per account a growing delay
 * that an attacker elsewhere cannot turn against the owner. Only failures count: a success gives its
 * attempt back and clears that address's failures for the account. Past the per-account limit, an
 * address the account has not signed in from lately waits, and the wait doubles with each further
 * failure (1 s, 2 s, 4 s … up to LOGIN_LOCKOUT_MAX); addresses it signed in from keep their own limit
 * only. Counters live in Redis, so they hold across instances.
 */
@Injectable()
export class LoginThrottle {
  private readonly redis: ThrottleRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.defineCommand('handoffLoginBegin', { numberOfKeys: 5, lua: BEGIN });
    redis.defineCommand('handoffLoginGiveBack', { numberOfKeys: 4, lua: GIVE_BACK });
    this.redis = redis as ThrottleRedis;
  }

  /**
   * Run one sign-in of `email` from `address`: 429 without calling `signIn` while a limit holds;
   * a 401 from it counts as a failure, anything else (success, suspended, an outage) does not.
   * The second factor has counters of its own (`factor`), so a right password never eases them.
   */
  async attempt<T>(email: string, address: string, signIn: () => Promise<T>, opts: AttemptOptions = {}): Promise<T> {
    const keys = this.keys(email, address, opts.factor ?? 'password');
    const isFailure = opts.isFailure ?? ((e: unknown) => e instanceof UnauthorizedException);
    const login = this.config.login;
    const [refused, waitMs] = await this.redis.handoffLoginBegin(
      keys.pair,
      keys.address,
      keys.account,
      keys.lock,
      keys.known,
      address,
      this.config.rateLimits.windowMs,
      login.perAccountAndAddress,
      login.perAddress,
      login.perAccount,
      login.maxLockoutMs,
    );
    // One answer whichever limit it was, and the same for unknown e-mails: it tells nothing about the account.
    if (refused) throw tooManyRequests('too many failed sign-ins', waitMs);
    let result: T;
    try {
      result = await signIn();
    } catch (e) {
      if (!isFailure(e)) await this.giveBack(keys, address, false).catch(() => undefined);
      throw e;
    }
    // The user is signed in by now; a Redis blip here only leaves one failure counted too many.
    await this.giveBack(keys, address, true).catch(() => undefined);
    return result;
  }

  private giveBack(keys: ReturnType<LoginThrottle['keys']>, address: string, succeeded: boolean): Promise<number> {
    return this.redis.handoffLoginGiveBack(keys.pair, keys.address, keys.account, keys.known, address, succeeded ? '1' : '0', Date.now(), this.config.refreshTokenTtlMs);
  }

  private keys(email: string, address: string, factor: 'password' | 'second') {
    // Hashed, so Redis holds no e-mail addresses and every key has the same short length.
    const account = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
    const base = `${this.config.redisPrefix}:rl:${factor === 'password' ? 'login' : 'login2'}`;
    return {
      pair: `${base}:pair:${account}:${address}`,
      address: `${base}:ip:${address}`,
      account: `${base}:account:${account}`,
      lock: `${base}:lock:${account}`,
      known: `${base}:known:${account}`,
    };
  }
}
