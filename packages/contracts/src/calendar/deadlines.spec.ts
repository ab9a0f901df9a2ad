import { describe, expect, it } from 'vitest';
import type { BusinessHoursSettingsInput } from './business-hours.js';
import { type DeadlineRule, deadlineFor, deadlineRule } from './deadlines.js';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const berlin: BusinessHoursSettingsInput = {
  timeZone: 'Europe/Berlin',
  weeklyHours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
  holidays: ['2026-12-24', '2026-12-25'],
};

const due = (rule: DeadlineRule, submitted: string, settings = berlin) =>
  deadlineFor(rule, new Date(submitted), settings).toISOString();

describe('deadlineFor', () => {
  it.each<[string, DeadlineRule, string, string]>([
    ['2 business hours from Friday 16:00: Monday 10:00', { kind: 'business_hours', hours: 2 }, '2026-03-06T15:00:00Z', '2026-03-09T09:00:00.000Z'],
    ['4 business hours over two holidays', { kind: 'business_hours', hours: 4 }, '2026-12-23T14:00:00Z', '2026-12-28T10:00:00.000Z'],
    ['2 business hours from Friday 16:00 CET over the spring change', { kind: 'business_hours', hours: 2 }, '2026-03-27T15:00:00Z', '2026-03-30T08:00:00.000Z'],
    // Calendar hours are elapsed time: Saturday 12:00 CET + 24 h shows 13:00 CEST on Sunday
    ['24 calendar hours over the spring change', { kind: 'calendar_hours', hours: 24 }, '2026-03-28T11:00:00Z', '2026-03-29T11:00:00.000Z'],
    ['1.5 calendar hours at night', { kind: 'calendar_hours', hours: 1.5 }, '2026-03-07T23:00:00Z', '2026-03-08T00:30:00.000Z'],
    // by 17:00 on the same or next business day
    ['by 17:00, submitted Tuesday 10:00: Tuesday 17:00', { kind: 'by_time', time: '17:00', day: 'same_or_next_business_day' }, '2026-03-10T09:00:00Z', '2026-03-10T16:00:00.000Z'],
    ['by 17:00, submitted Tuesday 16:59: Tuesday 17:00', { kind: 'by_time', time: '17:00', day: 'same_or_next_business_day' }, '2026-03-10T15:59:00Z', '2026-03-10T16:00:00.000Z'],
    ['by 17:00, submitted at 17:00 exactly: Wednesday 17:00', { kind: 'by_time', time: '17:00', day: 'same_or_next_business_day' }, '2026-03-10T16:00:00Z', '2026-03-11T16:00:00.000Z'],
    ['by 17:00, submitted Friday 18:00: Monday 17:00', { kind: 'by_time', time: '17:00', day: 'same_or_next_business_day' }, '2026-03-13T17:00:00Z', '2026-03-16T16:00:00.000Z'],
    ['by 17:00, submitted Saturday morning: Monday 17:00', { kind: 'by_time', time: '17:00', day: 'same_or_next_business_day' }, '2026-03-14T08:00:00Z', '2026-03-16T16:00:00.000Z'],
    ['by 17:00, submitted on a holiday morning: the next business day', { kind: 'by_time', time: '17:00', day: 'same_or_next_business_day' }, '2026-12-24T08:00:00Z', '2026-12-28T16:00:00.000Z'],
    ['by 08:00, before opening: the same day at 08:00', { kind: 'by_time', time: '08:00', day: 'same_or_next_business_day' }, '2026-03-10T06:00:00Z', '2026-03-10T07:00:00.000Z'],
    ['by 17:00 on Friday CET, due Monday in CEST', { kind: 'by_time', time: '17:00', day: 'same_or_next_business_day' }, '2026-03-27T17:00:00Z', '2026-03-30T15:00:00.000Z'],
    // by 09:00 on the next business day, whatever the hour
    ['next business day 09:00, submitted Tuesday 06:00: Wednesday', { kind: 'by_time', time: '09:00', day: 'next_business_day' }, '2026-03-10T05:00:00Z', '2026-03-11T08:00:00.000Z'],
    ['next business day 09:00, submitted Wednesday 23 December: Monday 28th', { kind: 'by_time', time: '09:00', day: 'next_business_day' }, '2026-12-23T09:00:00Z', '2026-12-28T08:00:00.000Z'],
  ])('%s', (_, rule, submitted, expected) => {
    expect(due(rule, submitted)).toBe(expected);
  });

  it('reads "today" in the organization’s zone, not in UTC', () => {
    const tokyo = { ...berlin, timeZone: 'Asia/Tokyo', holidays: [] };
    // Monday 23:30 UTC is Tuesday 08:30 in Tokyo: due Tuesday 17:00 there
    expect(due({ kind: 'by_time', time: '17:00', day: 'same_or_next_business_day' }, '2026-03-09T23:30:00Z', tokyo)).toBe('2026-03-10T08:00:00.000Z');
  });

  it('resolves a time the clocks skip to the moment of the jump', () => {
    const sundays = { timeZone: 'America/New_York', weeklyHours: { sun: nineToFive } };
    // 8 March 2026 in New York jumps from 02:00 EST to 03:00 EDT
    expect(due({ kind: 'by_time', time: '02:30', day: 'same_or_next_business_day' }, '2026-03-08T06:00:00Z', sundays)).toBe('2026-03-08T07:00:00.000Z');
    // on the autumn Sunday 01:30 comes twice; the first one counts
    expect(due({ kind: 'by_time', time: '01:30', day: 'same_or_next_business_day' }, '2026-11-01T04:00:00Z', sundays)).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('deadlineRule', () => {
  const firstIssue = (input: unknown) => {
    const result = deadlineRule.safeParse(input);
    if (result.success) return 'valid';
    const issue = result.error.issues[0];
    return `${issue?.path.join('.')} ${issue?.message}`;
  };

  it.each([
    [{ kind: 'business_hours', hours: 8 }, 'valid'],
    [{ kind: 'calendar_hours', hours: 0.25 }, 'valid'],
    [{ kind: 'by_time', time: '17:00', day: 'next_business_day' }, 'valid'],
    [{ kind: 'sometime' }, 'kind must be one of business_hours, calendar_hours, by_time'],
    [{ kind: 'business_hours', hours: 0 }, 'hours must be more than 0'],
    [{ kind: 'business_hours', hours: 2001 }, 'hours must be at most 2000'],
    [{ kind: 'calendar_hours', hours: 1.001 }, 'hours must be a whole number of minutes, e.g. 1.5 or 0.25'],
    [{ kind: 'calendar_hours', hours: '8' }, 'hours must be a number'],
    [{ kind: 'by_time', time: '5pm', day: 'next_business_day' }, 'time must be a time HH:MM between 00:00 and 23:59'],
    [{ kind: 'by_time', time: '17:00', day: 'tomorrow' }, 'day must be one of same_or_next_business_day, next_business_day'],
    [{ kind: 'business_hours', hours: 8, time: '17:00' }, ' Unrecognized key: "time"'],
  ])('%j: %s', (input, expected) => {
    expect(firstIssue(input)).toBe(expected);
  });
});
