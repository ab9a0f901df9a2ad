import { deliveryId, retryDelay } from './webhook-retry.js';

const DAY = 86_400_000;
const settings = { baseMs: 30_000, maxDelayMs: 3 * 3_600_000, windowMs: DAY };

describe('webhook retry schedule', () => {
  it('doubles from the base, is capped, and stops at the window’s end', () => {
    const since = 0;
    let now = since;
    const waits: number[] = [];
    for (let failures = 1; ; failures++) {
      const wait = retryDelay(failures, since, now, settings);
      if (wait === null) break;
      waits.push(wait);
      now += wait;
    }
    expect(waits.slice(0, 5)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(Math.max(...waits)).toBe(settings.maxDelayMs);
    // The last attempt is made exactly when the window ends, then no more.
    expect(now).toBe(since + DAY);
    expect(waits.length).toBeLessThan(30);
  });

  it('answers null once the window is over, and never a wait past its end', () => {
    expect(retryDelay(3, 0, DAY, settings)).toBeNull();
    expect(retryDelay(20, 0, DAY - 5, settings)).toBe(5);
  });

  it('derives one delivery id per (endpoint, event), a valid UUID', () => {
    const a = deliveryId('6f1c8f7e-0000-4000-8000-000000000001', '42');
    expect(a).toBe(deliveryId('6f1c8f7e-0000-4000-8000-000000000001', '42'));
    expect(a).not.toBe(deliveryId('6f1c8f7e-0000-4000-8000-000000000001', '43'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
