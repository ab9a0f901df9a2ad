import { periodOf, repeatOptions } from './periodic.processor.js';

describe('periodic job schedules', () => {
  it('run an interval at once by default, or first a whole period after the scheduler is made', () => {
    expect(repeatOptions({ every: 60_000 }, 1_000)).toEqual({ every: 60_000 });
    expect(repeatOptions({ every: 60_000, first: 'after-period' }, 1_000)).toEqual({ every: 60_000, startDate: 61_000 });
    expect(repeatOptions({ pattern: '0 9 * * 1', tz: 'Europe/Berlin' })).toEqual({ pattern: '0 9 * * 1', tz: 'Europe/Berlin' });
  });

  it("name a run's period by its scheduler slot, the same for every attempt", () => {
    expect(periodOf({ id: 'repeat:timers.sweep:1764000000000', timestamp: 5 })).toEqual(new Date(1_764_000_000_000));
    expect(periodOf({ id: 'repeat:templates.weekly:org:1764000000000', timestamp: 5 })).toEqual(new Date(1_764_000_000_000));
    expect(periodOf({ id: undefined, timestamp: 5 })).toEqual(new Date(5));
  });
});
