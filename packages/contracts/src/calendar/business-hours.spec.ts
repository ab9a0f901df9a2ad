import { describe, expect, it } from 'vitest';
import { BusinessCalendar, type BusinessHoursSettingsInput, businessHoursSettings } from './business-hours.js';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const weekdaysOnly = (day: { start: string; end: string }[]) => ({ mon: day, tue: day, wed: day, thu: day, fri: day });

function calendar(overrides: Partial<BusinessHoursSettingsInput> = {}) {
  return new BusinessCalendar({ timeZone: 'Europe/Berlin', weeklyHours: weekdaysOnly(nineToFive), ...overrides });
}

const d = (iso: string) => new Date(iso);

/** The first issue as the API reports it: the field's path, then what is wrong with it. */
function firstIssue(input: unknown): string {
  const result = businessHoursSettings.safeParse(input);
  if (result.success) return 'valid';
  const issue = result.error.issues[0];
  return `${issue?.path.join('.')} ${issue?.message}`;
}

describe('businessHoursSettings', () => {
  const base = { timeZone: 'Europe/Berlin', weeklyHours: weekdaysOnly(nineToFive) };

  it('accepts a lunch break, a day to midnight and a closed weekend, and fills missing days and holidays', () => {
    const parsed = businessHoursSettings.parse({
      timeZone: 'America/New_York',
      weeklyHours: {
        mon: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
        fri: [{ start: '20:00', end: '24:00' }],
        sat: [],
      },
    });
    expect(parsed.weeklyHours.sun).toEqual([]);
    expect(parsed.holidays).toEqual([]);
  });

  it.each([
    ['an unknown zone', { ...base, timeZone: 'Mars/Olympus' }, 'timeZone must be an IANA time zone such as Europe/Berlin'],
    ['a fixed offset for a zone', { ...base, timeZone: '+01:00' }, 'timeZone must be an IANA time zone such as Europe/Berlin'],
    ['a time without its leading zero', { ...base, weeklyHours: { mon: [{ start: '9:00', end: '17:00' }] } }, 'weeklyHours.mon.0.start must be a time HH:MM between 00:00 and 23:59'],
    ['an hour past 23', { ...base, weeklyHours: { tue: [{ start: '09:00', end: '25:00' }] } }, 'weeklyHours.tue.0.end must be a time HH:MM between 00:01 and 24:00'],
    ['an end before its start', { ...base, weeklyHours: { wed: [{ start: '17:00', end: '09:00' }] } }, 'weeklyHours.wed.0.end must be after start (17:00)'],
    ['an empty interval', { ...base, weeklyHours: { wed: [{ start: '09:00', end: '09:00' }] } }, 'weeklyHours.wed.0.end must be after start (09:00)'],
    [
      'overlapping intervals',
      { ...base, weeklyHours: { thu: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '17:00' }] } },
      'weeklyHours.thu.1.start must not be before the previous interval ends (12:00): list intervals in order, without overlaps',
    ],
    [
      'intervals out of order',
      { ...base, weeklyHours: { fri: [{ start: '13:00', end: '17:00' }, { start: '09:00', end: '12:00' }] } },
      'weeklyHours.fri.1.start must not be before the previous interval ends (17:00): list intervals in order, without overlaps',
    ],
    ['an unknown day', { ...base, weeklyHours: { monday: nineToFive } }, 'weeklyHours Unrecognized key: "monday"'],
    ['a week with no hours', { ...base, weeklyHours: { sat: [], sun: [] } }, 'weeklyHours must open at least one interval in the week'],
    ['a date that does not exist', { ...base, holidays: ['2026-02-30'] }, 'holidays.0 must be a date YYYY-MM-DD'],
    ['a date in another format', { ...base, holidays: ['24.12.2026'] }, 'holidays.0 must be a date YYYY-MM-DD'],
    ['a repeated holiday', { ...base, holidays: ['2026-12-25', '2026-12-25'] }, 'holidays.1 repeats 2026-12-25'],
    [
      'more than 366 holidays',
      { ...base, holidays: Array.from({ length: 367 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10)) },
      'holidays must have at most 366 dates',
    ],
  ])('refuses %s, naming the field', (_, input, expected) => {
    expect(firstIssue(input)).toBe(expected);
  });
});

describe('BusinessCalendar', () => {
  it('refuses settings the schema refuses, instead of scanning forever', () => {
    expect(() => new BusinessCalendar({ timeZone: 'Europe/Berlin', weeklyHours: {} })).toThrow(/at least one interval/);
  });

  describe('isOpen and nextOpening', () => {
    const sut = calendar({ weeklyHours: weekdaysOnly([{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]) });

    it.each([
      ['2026-03-10T08:00:00Z', true, '2026-03-10T08:00:00.000Z'], // Tuesday 09:00, opening
      ['2026-03-10T07:59:59.999Z', false, '2026-03-10T08:00:00.000Z'],
      ['2026-03-10T11:30:00Z', false, '2026-03-10T12:00:00.000Z'], // lunch, back at 13:00
      ['2026-03-10T16:00:00Z', false, '2026-03-11T08:00:00.000Z'], // 17:00 is closed
      ['2026-03-13T15:59:00Z', true, '2026-03-13T15:59:00.000Z'], // Friday 16:59
      ['2026-03-14T10:00:00Z', false, '2026-03-16T08:00:00.000Z'], // Saturday → Monday 09:00
    ])('at %s open=%s, next opening %s', (at, open, next) => {
      expect(sut.isOpen(d(at))).toBe(open);
      expect(sut.nextOpening(d(at)).toISOString()).toBe(next);
    });

    it('stays closed all day on a holiday, in the organization’s own date', () => {
      const xmas = calendar({ holidays: ['2026-12-24', '2026-12-25'] });
      expect(xmas.isOpen(d('2026-12-24T10:00:00Z'))).toBe(false);
      expect(xmas.nextOpening(d('2026-12-23T17:00:00Z')).toISOString()).toBe('2026-12-28T08:00:00.000Z');
      // A holiday is a date in the organization's zone: 00:30 UTC on the 24th is 09:30 on the 24th in Tokyo.
      const tokyo = calendar({ timeZone: 'Asia/Tokyo', holidays: ['2026-12-24'] });
      expect(tokyo.isOpen(d('2026-12-24T00:30:00Z'))).toBe(false); // 09:30 on the 24th in Tokyo
      expect(tokyo.isOpen(d('2026-12-23T00:30:00Z'))).toBe(true);
    });
  });

  describe('addBusinessHours', () => {
    const sut = calendar();

    it.each([
      ['Friday 16:00 + 2 h is Monday 10:00', '2026-03-06T15:00:00Z', 2, '2026-03-09T09:00:00.000Z'],
      ['Friday 16:00 + 1 h is Friday at closing, not Monday', '2026-03-06T15:00:00Z', 1, '2026-03-06T16:00:00.000Z'],
      ['Saturday + 1 h counts from Monday 09:00', '2026-03-07T12:00:00Z', 1, '2026-03-09T09:00:00.000Z'],
      ['before opening counts from the opening', '2026-03-10T05:00:00Z', 0.5, '2026-03-10T08:30:00.000Z'],
      ['a whole week is five days', '2026-03-10T08:00:00Z', 40, '2026-03-16T16:00:00.000Z'],
      ['minutes stay exact', '2026-03-10T08:00:00Z', 7 + 59 / 60, '2026-03-10T15:59:00.000Z'],
      ['seconds are kept', '2026-03-10T08:00:30Z', 1, '2026-03-10T09:00:30.000Z'],
      // Berlin moves to CEST on Sunday 29 March: Friday 16:00 CET + 2 h is Monday 10:00 CEST
      ['across the spring change', '2026-03-27T15:00:00Z', 2, '2026-03-30T08:00:00.000Z'],
      ['across the autumn change', '2026-10-23T14:00:00Z', 2, '2026-10-26T09:00:00.000Z'],
      ['zero hours is the instant itself, even when closed', '2026-03-07T12:00:00Z', 0, '2026-03-07T12:00:00.000Z'],
    ])('%s', (_, from, hours, expected) => {
      expect(sut.addBusinessHours(d(from), hours).toISOString()).toBe(expected);
    });

    it('skips holidays and a lunch break', () => {
      const xmas = calendar({
        holidays: ['2026-12-25'],
        weeklyHours: weekdaysOnly([{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]),
      });
      // Thursday 24th 16:00 + 2 h: 1 h on the 24th, the 25th is closed, then Monday 09:00–10:00
      expect(xmas.addBusinessHours(d('2026-12-24T15:00:00Z'), 2).toISOString()).toBe('2026-12-28T09:00:00.000Z');
      // 11:30 + 1 h: 30 min before lunch, 30 min after
      expect(xmas.addBusinessHours(d('2026-12-22T10:30:00Z'), 1).toISOString()).toBe('2026-12-22T12:30:00.000Z');
    });

    it('counts real time on a 23-hour and a 25-hour day when open around the clock', () => {
      const always = calendar({ weeklyHours: Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((k) => [k, [{ start: '00:00', end: '24:00' }]])) });
      // Saturday 12:00 CET + 24 h = Sunday 13:00 CEST
      expect(always.addBusinessHours(d('2026-03-28T11:00:00Z'), 24).toISOString()).toBe('2026-03-29T11:00:00.000Z');
      expect(always.businessHoursBetween(d('2026-03-28T23:00:00Z'), d('2026-03-29T22:00:00Z'))).toBe(23);
      expect(always.businessHoursBetween(d('2026-10-24T22:00:00Z'), d('2026-10-25T23:00:00Z'))).toBe(25);
    });

    it('opens at the jump when an opening falls inside it, and closes at the first pass of a repeated time', () => {
      const night = calendar({ weeklyHours: { sun: [{ start: '02:30', end: '04:00' }], mon: nineToFive } });
      // 29 March: 02:30 does not exist; open from the jump (03:00 CEST) to 04:00 CEST
      expect(night.nextOpening(d('2026-03-28T23:00:00Z')).toISOString()).toBe('2026-03-29T01:00:00.000Z');
      expect(night.businessHoursBetween(d('2026-03-28T23:00:00Z'), d('2026-03-29T06:00:00Z'))).toBe(1);
      // 25 October: open from the first 02:30 (CEST) until 04:00 CET, two and a half real hours
      expect(night.nextOpening(d('2026-10-24T23:00:00Z')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
      expect(night.businessHoursBetween(d('2026-10-24T23:00:00Z'), d('2026-10-25T06:00:00Z'))).toBe(2.5);
    });

    it('skips an interval the clocks jump over entirely', () => {
      const night = calendar({ weeklyHours: { sun: [{ start: '02:00', end: '02:45' }], mon: nineToFive } });
      // 29 March 02:00–02:45 never happens, so the next opening is Monday 09:00 CEST
      expect(night.nextOpening(d('2026-03-28T23:00:00Z')).toISOString()).toBe('2026-03-30T07:00:00.000Z');
      expect(night.isOpen(d('2026-03-29T01:00:00Z'))).toBe(false);
    });

    it('refuses negative or non-finite hours', () => {
      expect(() => sut.addBusinessHours(d('2026-03-10T08:00:00Z'), -1)).toThrow(RangeError);
      expect(() => sut.addBusinessHours(d('2026-03-10T08:00:00Z'), Number.NaN)).toThrow(RangeError);
    });
  });

  describe('businessHoursBetween', () => {
    const sut = calendar({ holidays: ['2026-03-11'] });

    it.each([
      ['Friday 16:00 to Monday 10:00', '2026-03-06T15:00:00Z', '2026-03-09T09:00:00Z', 2],
      ['inside one interval', '2026-03-10T08:15:00Z', '2026-03-10T09:00:00Z', 0.75],
      ['over a weekend only', '2026-03-07T00:00:00Z', '2026-03-08T23:00:00Z', 0],
      ['Tuesday to Thursday over a holiday Wednesday', '2026-03-10T08:00:00Z', '2026-03-12T16:00:00Z', 16],
      ['backwards is negative', '2026-03-09T09:00:00Z', '2026-03-06T15:00:00Z', -2],
    ])('%s', (_, a, b, hours) => {
      expect(sut.businessHoursBetween(d(a), d(b))).toBe(hours);
    });
  });
});
