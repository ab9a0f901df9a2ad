import { randomBytes } from 'node:crypto';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WINDOW_MS = 600_000;

describe('RedisThrottlerStorage', () => {
  // Two clients, as two API instances have: the count is Redis's, not either process's.
  let one: Redis;
  let two: Redis;
  let key: string;
  beforeAll(() => {
    one = new Redis(REDIS_URL);
    two = new Redis(REDIS_URL);
  });
  beforeEach(() => {
    key = `test:throttle:${randomBytes(4).toString('hex')}:rl:claim:user:u1`;
  });
  afterEach(() => one.del(key));
  afterAll(() => {
    one.disconnect();
    two.disconnect();
  });

  it('counts concurrent hits from two instances exactly once each, and refuses what is over the limit', async () => {
    const sut: ThrottlerStorage[] = [new RedisThrottlerStorage(one), new RedisThrottlerStorage(two)];
    const records = await Promise.all(Array.from({ length: 50 }, (_, i) => sut[i % 2]!.increment(key, WINDOW_MS, 20, WINDOW_MS, 'default')));
    expect(records.map((r) => r.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(records.filter((r) => !r.isBlocked)).toHaveLength(20);
    for (const r of records) {
      expect(r.timeToExpire).toBeGreaterThan(0);
      expect(r.timeToExpire).toBeLessThanOrEqual(WINDOW_MS / 1000);
      expect(r.timeToBlockExpire).toBe(r.isBlocked ? r.timeToExpire : 0);
    }
  });

  it('starts the window at the first hit only: later hits, refused ones included, do not extend it', async () => {
    const sut: ThrottlerStorage = new RedisThrottlerStorage(one);
    await sut.increment(key, WINDOW_MS, 1, WINDOW_MS, 'default');
    await one.pexpire(key, 5_000);
    const refused = await sut.increment(key, WINDOW_MS, 1, WINDOW_MS, 'default');
    expect(refused).toMatchObject({ totalHits: 2, isBlocked: true });
    expect(refused.timeToBlockExpire).toBeLessThanOrEqual(5);
    expect(await one.pttl(key)).toBeLessThanOrEqual(5_000);
  });

  it('counts afresh once the window is gone', async () => {
    const sut: ThrottlerStorage = new RedisThrottlerStorage(two);
    for (let i = 0; i < 3; i++) await sut.increment(key, WINDOW_MS, 2, WINDOW_MS, 'default');
    await one.del(key);
    expect(await sut.increment(key, WINDOW_MS, 2, WINDOW_MS, 'default')).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
  });
});
