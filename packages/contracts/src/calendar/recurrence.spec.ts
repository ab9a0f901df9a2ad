import { describe, expect, it } from 'vitest';
import type { BusinessHoursSettingsInput } from './business-hours.js';
import { type RecurrenceRule, nextRuns, recurrenceRule, runsBetween, runsThrough, scheduleRunId } from './recurrence.js';
import { localDateOf, minuteOfDayAt } from './zoned.js';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const weekdays = { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive };
const zone = (timeZone: string, holidays: string[] = []): BusinessHoursSettingsInput => ({ timeZone, weeklyHours: weekdays, holidays });
const berlin = zone('Europe/Berlin');
const newYork = zone('America/New_York');

const isoList = (dates: Date[]) => dates.map((d) => d.toISOString());
const between = (rule: RecurrenceRule, from: string, to: string, settings: BusinessHoursSettingsInput) =>
  isoList(runsBetween(rule, new Date(from), new Date(to), settings));
const daily = (time: string): RecurrenceRule => ({ kind: 'daily', time, start: '2020-01-01T00:00:00Z' });

describe('the "Month-end bookkeeping" schedule: last business day of every month at 17:00 in Europe/Berlin', () => {
  it('runs on the last weekday of each month that is not a holiday, at 17:00 CET or CEST', () => {
    // Good Friday and Easter Monday, and the office's own closing days on 30 April and 31 December
    const settings = zone('Europe/Berlin', ['2026-04-03', '2026-04-06', '2026-04-30', '2026-12-31']);
    const rule: RecurrenceRule = { kind: 'monthly_last_business_day', time: '17:00', start: '2026-01-01T00:00:00+01:00' };
    expect(isoList(nextRuns(rule, new Date('2025-12-01T00:00:00Z'), 12, settings))).toEqual([
      '2026-01-30T16:00:00.000Z', // Friday
      '2026-02-27T16:00:00.000Z', // Friday
      '2026-03-31T15:00:00.000Z', // Tuesday, CEST since the 29th
      '2026-04-29T15:00:00.000Z', // Wednesday: the 30th is closed
      '2026-05-29T15:00:00.000Z', // Friday
      '2026-06-30T15:00:00.000Z', // Tuesday
      '2026-07-31T15:00:00.000Z', // Friday
      '2026-08-31T15:00:00.000Z', // Monday
      '2026-09-30T15:00:00.000Z', // Wednesday
      '2026-10-30T16:00:00.000Z', // Friday, CET again since the 25th
      '2026-11-30T16:00:00.000Z', // Monday
      '2026-12-30T16:00:00.000Z', // Wednesday: the 31st is closed
    ]);
  });
});

describe('daily runs across DST changes: none doubled, none dropped', () => {
  it.each([
    // Berlin, last Sunday of March, 02:00 → 03:00: 02:30 does not exist that day and runs at the jump
    ['Berlin spring, 02:30', berlin, '02:30', '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z', ['2026-03-27T01:30:00.000Z', '2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
    ['Berlin spring, 09:00', berlin, '09:00', '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z', ['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']],
    // Berlin, last Sunday of October, 03:00 → 02:00: 02:30 happens twice and runs the first time
    ['Berlin autumn, 02:30', berlin, '02:30', '2026-10-24T00:00:00Z', '2026-10-28T00:00:00Z', ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']],
    ['Berlin autumn, 09:00', berlin, '09:00', '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z', ['2026-10-24T07:00:00.000Z', '2026-10-25T08:00:00.000Z', '2026-10-26T08:00:00.000Z']],
    // New York, 8 March 02:00 → 03:00 and 1 November 02:00 → 01:00 (01:30 twice; 02:30 once)
    ['New York spring, 02:30', newYork, '02:30', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']],
    ['New York spring, 09:00', newYork, '09:00', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', ['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z']],
    ['New York autumn, 01:30', newYork, '01:30', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z', ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']],
    ['New York autumn, 02:30', newYork, '02:30', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z', ['2026-10-31T06:30:00.000Z', '2026-11-01T07:30:00.000Z', '2026-11-02T07:30:00.000Z']],
    ['New York autumn, 09:00', newYork, '09:00', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z', ['2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z', '2026-11-02T14:00:00.000Z']],
  ])('%s', (_, settings, time, from, to, expected) => {
    expect(between(daily(time), from, to, settings)).toEqual(expected);
  });

  it('gives every local day of 2026 exactly one run at 02:30 in Berlin and New York', () => {
    for (const settings of [berlin, newYork]) {
      const runs = runsBetween(daily('02:30'), new Date('2025-12-31T12:00:00Z'), new Date('2026-12-31T12:00:00Z'), settings);
      const days = runs.map((r) => {
        const d = localDateOf(settings.timeZone, r.getTime());
        return `${d.year}-${d.month}-${d.day}`;
      });
      expect(runs).toHaveLength(365);
      expect(new Set(days).size).toBe(365);
      // all at 02:30 but the spring day's, which runs at the jump to 03:00
      expect(runs.filter((r) => minuteOfDayAt(settings.timeZone, r.getTime()) !== 150).map((r) => minuteOfDayAt(settings.timeZone, r.getTime()))).toEqual([180]);
    }
  });
});

describe('cron across DST changes', () => {
  const cron = (expression: string): RecurrenceRule => ({ kind: 'cron', expression, start: '2020-01-01T00:00:00Z' });
  // Berlin's 29 March 2026 runs from 23:00Z to 22:00Z, 25 October from 22:00Z to 23:00Z; windows are (from, to].
  const spring = ['2026-03-28T22:59:59Z', '2026-03-29T21:59:59Z'] as const;
  const autumn = ['2026-10-24T21:59:59Z', '2026-10-25T22:59:59Z'] as const;

  it('runs each hour once on the day the clocks go back, at the first pass of the repeated hour', () => {
    const runs = between(cron('0 * * * *'), autumn[0], autumn[1], berlin);
    expect(runs).toHaveLength(24);
    expect(runs.slice(1, 4)).toEqual(['2026-10-24T23:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T02:00:00.000Z']);
  });

  it('runs the times inside the skipped hour once, at the jump', () => {
    const runs = between(cron('*/15 * * * *'), spring[0], spring[1], berlin);
    expect(runs).toHaveLength(96 - 4); // 02:00, 02:15, 02:30 and 02:45 all become 03:00
    expect(runs.slice(7, 10)).toEqual(['2026-03-29T00:45:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T01:15:00.000Z']);
    expect(new Set(runs).size).toBe(runs.length);
  });
});

describe('other rules', () => {
  it('weekdays: Monday to Friday, holidays included', () => {
    const rule: RecurrenceRule = { kind: 'weekdays', time: '08:00', start: '2026-01-01T00:00:00Z' };
    expect(between(rule, '2026-03-06T12:00:00Z', '2026-03-10T12:00:00Z', zone('Europe/Berlin', ['2026-03-09']))).toEqual([
      '2026-03-09T07:00:00.000Z',
      '2026-03-10T07:00:00.000Z',
    ]);
  });

  it('weekly on chosen days', () => {
    const rule: RecurrenceRule = { kind: 'weekly', days: ['wed', 'mon', 'fri'], time: '10:15', start: '2026-01-01T00:00:00Z' };
    expect(between(rule, '2026-03-09T00:00:00Z', '2026-03-16T00:00:00Z', berlin)).toEqual([
      '2026-03-09T09:15:00.000Z',
      '2026-03-11T09:15:00.000Z',
      '2026-03-13T09:15:00.000Z',
    ]);
  });

  it('monthly on day 31 runs on the last day of shorter months', () => {
    const rule: RecurrenceRule = { kind: 'monthly_day', day: 31, time: '12:00', start: '2027-12-01T00:00:00Z' };
    expect(isoList(nextRuns(rule, new Date('2027-12-01T00:00:00Z'), 5, zone('UTC')))).toEqual([
      '2027-12-31T12:00:00.000Z',
      '2028-01-31T12:00:00.000Z',
      '2028-02-29T12:00:00.000Z',
      '2028-03-31T12:00:00.000Z',
      '2028-04-30T12:00:00.000Z',
    ]);
  });

  it('monthly on day 15, in a zone 45 minutes off the hour', () => {
    const rule: RecurrenceRule = { kind: 'monthly_day', day: 15, time: '09:00', start: '2026-01-01T00:00:00Z' };
    expect(isoList(nextRuns(rule, new Date('2026-01-01T00:00:00Z'), 2, zone('Asia/Kathmandu')))).toEqual([
      '2026-01-15T03:15:00.000Z',
      '2026-02-15T03:15:00.000Z',
    ]);
  });

  it('includes a run at the start and at the end, and none outside them', () => {
    const rule: RecurrenceRule = { kind: 'daily', time: '09:00', start: '2026-03-10T09:00:00+01:00', end: '2026-03-12T09:00:00+01:00' };
    expect(isoList(nextRuns(rule, new Date('2026-01-01T00:00:00Z'), 10, berlin))).toEqual([
      '2026-03-10T08:00:00.000Z',
      '2026-03-11T08:00:00.000Z',
      '2026-03-12T08:00:00.000Z',
    ]);
    const later: RecurrenceRule = { ...rule, start: '2026-03-10T09:00:01+01:00' };
    expect(nextRuns(later, new Date('2026-01-01T00:00:00Z'), 10, berlin)).toHaveLength(2);
  });

  it('counts strictly after `after`, so asking again from the last run gives the next one', () => {
    const rule = daily('09:00');
    const [first] = nextRuns(rule, new Date('2026-03-10T08:00:00Z'), 1, berlin);
    expect(first?.toISOString()).toBe('2026-03-11T08:00:00.000Z');
    expect(nextRuns(rule, new Date('2026-03-10T08:00:00Z'), 0, berlin)).toEqual([]);
    expect(() => nextRuns(rule, new Date(), 1001, berlin)).toThrow(RangeError);
  });

  it('after an outage, lists each missed run once, so the caller can create only the latest', () => {
    // Last run created Monday 09:00; everything was down until Thursday 10:00.
    const missed = between(daily('09:00'), '2026-03-09T08:00:00Z', '2026-03-12T09:00:00Z', berlin);
    expect(missed).toEqual(['2026-03-10T08:00:00.000Z', '2026-03-11T08:00:00.000Z', '2026-03-12T08:00:00.000Z']);
    expect(missed.at(-1)).toBe('2026-03-12T08:00:00.000Z');
    // The next check, from Thursday 10:00, finds nothing new until Friday.
    expect(between(daily('09:00'), '2026-03-12T09:00:00Z', '2026-03-12T20:00:00Z', berlin)).toEqual([]);
  });
});

describe('scheduleRunId', () => {
  const id = '6f1c2b9e-8d4a-4f3b-9c2e-1a2b3c4d5e6f';

  it('is the same for the same schedule and instant, and free of the colon BullMQ reserves', () => {
    const run = new Date('2026-03-31T15:00:00Z');
    expect(scheduleRunId(id, run)).toBe(`schedule-run/${id}/20260331T150000Z`);
    expect(scheduleRunId(id, new Date(run.getTime()))).toBe(scheduleRunId(id, run));
    expect(scheduleRunId(id, run)).not.toContain(':');
  });

  it('differs for another instant or schedule', () => {
    const run = new Date('2026-03-31T15:00:00Z');
    expect(scheduleRunId(id, new Date(run.getTime() + 1))).toBe(`schedule-run/${id}/20260331T150000.001Z`);
    expect(scheduleRunId('other', run)).not.toBe(scheduleRunId(id, run));
  });
});

describe('recurrenceRule', () => {
  const start = '2026-01-01T00:00:00Z';
  const firstIssue = (input: unknown) => {
    const result = recurrenceRule.safeParse(input);
    if (result.success) return 'valid';
    const issue = result.error.issues[0];
    return `${issue?.path.join('.')} ${issue?.message}`;
  };

  it.each([
    [{ kind: 'daily', time: '09:00', start }, 'valid'],
    [{ kind: 'weekly', days: ['mon', 'thu'], time: '09:00', start, end: '2026-06-01T00:00:00Z' }, 'valid'],
    [{ kind: 'monthly_last_business_day', time: '17:00', start: '2026-01-01T00:00:00+01:00' }, 'valid'],
    [{ kind: 'cron', expression: '0 9 * * mon-fri', start }, 'valid'],
    [{ kind: 'yearly', time: '09:00', start }, 'kind must be one of daily, weekdays, weekly, monthly_day, monthly_last_business_day, cron'],
    [{ kind: 'daily', time: '9am', start }, 'time must be a time HH:MM between 00:00 and 23:59'],
    [{ kind: 'daily', time: '09:00', start: 'tomorrow' }, 'start must be an ISO-8601 date-time'],
    [{ kind: 'daily', time: '09:00', start, end: start }, 'end must be after start'],
    [{ kind: 'weekly', days: [], time: '09:00', start }, 'days must name at least one day'],
    [{ kind: 'weekly', days: ['mon', 'mon'], time: '09:00', start }, 'days must not repeat a day'],
    [{ kind: 'weekly', days: ['monday'], time: '09:00', start }, 'days.0 must be one of sun, mon, tue, wed, thu, fri, sat'],
    [{ kind: 'monthly_day', day: 0, time: '09:00', start }, 'day must be at least 1'],
    [{ kind: 'monthly_day', day: 32, time: '09:00', start }, 'day must be at most 31'],
    [{ kind: 'monthly_day', day: 1.5, time: '09:00', start }, 'day must be an integer'],
    [{ kind: 'cron', expression: '0 9 * *', start }, 'expression must have five fields: minute hour day-of-month month day-of-week'],
    [{ kind: 'cron', expression: '0 0 31 4 *', start }, 'expression never runs: no chosen month has the chosen day of month'],
    [{ kind: 'daily', time: '09:00', start, timeZone: 'UTC' }, ' Unrecognized key: "timeZone"'],
  ])('%j: %s', (input, expected) => {
    expect(firstIssue(input)).toBe(expected);
  });
});

describe('runsThrough: the due runs and the next one in one walk', () => {
  const start = '2026-01-01T00:00:00Z';
  const rules: RecurrenceRule[] = [
    daily('02:30'),
    { kind: 'cron', expression: '* * * * *', start },
    { kind: 'cron', expression: '*/7 1-3 * * *', start },
    { kind: 'weekly', days: ['sun', 'wed'], time: '02:15', start },
    { kind: 'monthly_last_business_day', time: '17:00', start, end: '2026-11-01T00:00:00Z' },
  ];
  // Around both of Berlin's and New York's 2026 clock changes, late in a day, and after a rule's end.
  const windows: [string, string][] = [
    ['2026-03-28T23:59:59.999Z', '2026-03-29T01:00:00Z'],
    ['2026-03-29T00:59:59.999Z', '2026-03-29T02:30:00Z'],
    ['2026-10-25T00:29:59.999Z', '2026-10-25T01:45:00Z'],
    ['2026-11-01T05:00:00Z', '2026-11-01T07:10:00Z'],
    ['2026-12-04T20:59:59.999Z', '2026-12-04T21:00:30Z'],
    ['2026-06-01T00:00:00Z', '2026-06-04T12:00:00Z'],
  ];
  it.each(rules.flatMap((rule) => windows.flatMap(([from, to]) => [berlin, newYork].map((settings) => [rule, from, to, settings] as const))))(
    '%j from %s to %s agrees with runsBetween and nextRuns',
    (rule, from, to, settings) => {
      const got = runsThrough(rule, new Date(from), new Date(to), settings);
      expect(isoList(got.due)).toEqual(between(rule, from, to, settings));
      expect(got.next?.toISOString() ?? null).toEqual(nextRuns(rule, new Date(to), 1, settings)[0]?.toISOString() ?? null);
    },
  );
});
