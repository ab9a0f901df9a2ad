import { describe, expect, it } from 'vitest';
import { formatMoney, priceFor, splitPrice } from './money.js';

describe('priceFor', () => {
  it.each([
    [2500, 'low', 2000],
    [2500, 'normal', 2500],
    [2500, 'high', 3125],
    [2500, 'urgent', 3750],
    // 1999 × 1.25 = 2498.75 → 2499; 1999 × 0.8 = 1599.2 → 1599; 333 × 1.5 = 499.5 → 500 (half up)
    [1999, 'high', 2499],
    [1999, 'low', 1599],
    [333, 'urgent', 500],
    [1, 'low', 1],
  ] as const)('%i at %s is %i cents', (base, priority, expected) => {
    expect(priceFor(base, priority)).toBe(expected);
  });

  it('refuses a negative or fractional base', () => {
    expect(() => priceFor(-1, 'normal')).toThrow(RangeError);
    expect(() => priceFor(10.5, 'normal')).toThrow(RangeError);
  });
});

describe('splitPrice', () => {
  it('takes the fee rounded half up and leaves the rest as payout', () => {
    expect(splitPrice(2500, 2000)).toEqual({ feeCents: 500, payoutCents: 2000 });
    // 3125 × 20 % = 625; 2499 × 20 % = 499.8 → 500; 1003 × 15 % = 150.45 → 150; 1001 × 12.5 % = 125.125 → 125
    expect(splitPrice(2499, 2000)).toEqual({ feeCents: 500, payoutCents: 1999 });
    expect(splitPrice(1003, 1500)).toEqual({ feeCents: 150, payoutCents: 853 });
    expect(splitPrice(1001, 1250)).toEqual({ feeCents: 125, payoutCents: 876 });
    expect(splitPrice(5, 1000)).toEqual({ feeCents: 1, payoutCents: 4 });
  });

  it('always adds back up to the price, for every price and fee rate', () => {
    for (let price = 0; price < 3000; price += 7) {
      for (const fee of [0, 1, 999, 2000, 3333, 10_000]) {
        const { feeCents, payoutCents } = splitPrice(price, fee);
        expect(feeCents + payoutCents).toBe(price);
        expect(Number.isInteger(feeCents)).toBe(true);
        expect(feeCents).toBeGreaterThanOrEqual(0);
        expect(payoutCents).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

describe('formatMoney', () => {
  it('shows zero without a sign, also when it comes negated (a refund of nothing)', () => {
    expect(formatMoney(-0, 'USD', 'en-US')).toBe('$0.00');
    expect(formatMoney(0, 'USD', 'en-US')).toBe('$0.00');
    expect(formatMoney(-500, 'USD', 'en-US')).toBe('-$5.00');
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56');
  });
});
