import { overBy, thresholdsCrossed } from './budget-math.js';

describe('thresholdsCrossed', () => {
  it('names 80 when a spend reaches four fifths', () => {
    expect(thresholdsCrossed({ monthlyCents: 1000, committedCents: 700 }, 100)).toEqual([80]);
  });
  it('names both when one spend jumps past the budget', () => {
    expect(thresholdsCrossed({ monthlyCents: 1000, committedCents: 0 }, 1200)).toEqual([80, 100]);
  });
  it('names 100 exactly at the budget', () => {
    expect(thresholdsCrossed({ monthlyCents: 1000, committedCents: 900 }, 100)).toEqual([100]);
  });
  it('names nothing already past or below', () => {
    expect(thresholdsCrossed({ monthlyCents: 1000, committedCents: 850 }, 100)).toEqual([]);
    expect(thresholdsCrossed({ monthlyCents: 1000, committedCents: 0 }, 799)).toEqual([]);
    expect(thresholdsCrossed({ monthlyCents: 1000, committedCents: 1000 }, 100)).toEqual([]);
  });
  it('a zero budget is never crossed (nothing fits it)', () => {
    expect(thresholdsCrossed({ monthlyCents: 0, committedCents: 0 }, 100)).toEqual([]);
  });
});

describe('overBy', () => {
  it('is how far past the budget, or 0', () => {
    expect(overBy({ monthlyCents: 1000, committedCents: 950 }, 100)).toBe(50);
    expect(overBy({ monthlyCents: 1000, committedCents: 900 }, 100)).toBe(0);
  });
});
