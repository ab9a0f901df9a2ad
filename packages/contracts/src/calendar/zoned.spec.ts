import { describe, expect, it } from 'vitest';
import {
  addDays,
  instantAt,
  isValidTimeZone,
  localDateOf,
  minuteOfDayAt,
  offsetAt,
  parseClockTime,
  parseLocalDate,
  weekdayOf,
} from './zoned.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const date = (text: string) => parseLocalDate(text) ?? expect.fail(`bad date ${text}`);
const hm = (text: string) => parseClockTime(text, true) ?? expect.fail(`bad time ${text}`);

describe('instantAt', () => {
  it.each([
    // zone, date, wall time, instant: ordinary days either side of each change
    ['Europe/Berlin', '2026-03-28', '09:00', '2026-03-28T08:00:00.000Z'],
    ['Europe/Berlin', '2026-03-30', '09:00', '2026-03-30T07:00:00.000Z'],
    ['Europe/Berlin', '2026-03-29', '01:59', '2026-03-29T00:59:00.000Z'],
    ['Europe/Berlin', '2026-03-29', '03:00', '2026-03-29T01:00:00.000Z'],
    // Berlin, last Sunday of March: 02:00 → 03:00, so 02:00–02:59 resolve to the jump
    ['Europe/Berlin', '2026-03-29', '02:00', '2026-03-29T01:00:00.000Z'],
    ['Europe/Berlin', '2026-03-29', '02:30', '2026-03-29T01:00:00.000Z'],
    // Berlin, last Sunday of October: 03:00 → 02:00, so 02:30 happens twice; the first is CEST
    ['Europe/Berlin', '2026-10-25', '02:30', '2026-10-25T00:30:00.000Z'],
    ['Europe/Berlin', '2026-10-25', '03:00', '2026-10-25T02:00:00.000Z'],
    ['Europe/Berlin', '2026-10-25', '24:00', '2026-10-25T23:00:00.000Z'],
    // New York: 02:00 → 03:00 on 8 March, 02:00 → 01:00 on 1 November (01:30 twice)
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08T07:00:00.000Z'],
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T05:30:00.000Z'],
    ['America/New_York', '2026-11-01', '02:30', '2026-11-01T07:30:00.000Z'],
    // Lord Howe moves by 30 minutes: 02:00 → 02:30 on 4 October 2026
    ['Australia/Lord_Howe', '2026-10-04', '02:15', '2026-10-03T15:30:00.000Z'],
    ['Australia/Lord_Howe', '2026-10-04', '02:30', '2026-10-03T15:30:00.000Z'],
    // Santiago springs forward at midnight: 6 September 2026 starts at 01:00
    ['America/Santiago', '2026-09-06', '00:00', '2026-09-06T04:00:00.000Z'],
    ['America/Santiago', '2026-09-06', '00:30', '2026-09-06T04:00:00.000Z'],
    // Fixed offsets with 30 and 45 minutes
    ['Asia/Kolkata', '2026-03-29', '09:00', '2026-03-29T03:30:00.000Z'],
    ['Asia/Kathmandu', '2026-03-29', '09:00', '2026-03-29T03:15:00.000Z'],
    // Samoa skipped 30 December 2011 entirely: any time that day is the jump into the 31st
    ['Pacific/Apia', '2011-12-30', '12:00', '2011-12-30T10:00:00.000Z'],
  ])('%s %s %s is %s', (zone, day, time, expected) => {
    expect(iso(instantAt(zone, date(day), hm(time)))).toBe(expected);
  });

  it('never maps a later wall time to an earlier instant, even across a jump', () => {
    const day = date('2026-03-29');
    let previous = -Infinity;
    for (let minute = 0; minute <= 1440; minute++) {
      const t = instantAt('Europe/Berlin', day, minute);
      expect(t).toBeGreaterThanOrEqual(previous);
      previous = t;
    }
  });
});

describe('reading the clocks', () => {
  it('gives the offset, date and time the zone shows', () => {
    expect(offsetAt('Europe/Berlin', at('2026-03-29T00:59:59Z'))).toBe(3_600_000);
    expect(offsetAt('Europe/Berlin', at('2026-03-29T01:00:00Z'))).toBe(7_200_000);
    expect(offsetAt('Pacific/Chatham', at('2026-01-15T00:00:00Z'))).toBe((13 * 60 + 45) * 60_000);
    expect(localDateOf('Pacific/Auckland', at('2026-06-30T12:30:00Z'))).toEqual({ year: 2026, month: 7, day: 1 });
    expect(minuteOfDayAt('America/St_Johns', at('2026-01-15T12:00:00Z'))).toBe(8 * 60 + 30);
  });
});

describe('isValidTimeZone', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC', 'Etc/GMT+5'])('accepts %s', (name) => {
    expect(isValidTimeZone(name)).toBe(true);
  });

  it.each(['', 'Mars/Olympus', 'Europe/Berlin ', '+01:00', '-05:00', 'Europe\\Berlin', '../etc'])('refuses %j', (name) => {
    expect(isValidTimeZone(name)).toBe(false);
  });
});

describe('calendar arithmetic', () => {
  it('adds days across months, leap days and years', () => {
    expect(addDays(date('2028-02-28'), 1)).toEqual(date('2028-02-29'));
    expect(addDays(date('2026-12-31'), 1)).toEqual(date('2027-01-01'));
    expect(addDays(date('2026-03-01'), -1)).toEqual(date('2026-02-28'));
    expect(weekdayOf(date('2026-03-29'))).toBe(0);
  });

  it('parses only real dates and clock times', () => {
    expect(parseLocalDate('2026-02-30')).toBeNull();
    expect(parseLocalDate('2026-2-3')).toBeNull();
    expect(parseLocalDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    expect(parseClockTime('09:05')).toBe(545);
    expect(parseClockTime('24:00')).toBeNull();
    expect(parseClockTime('24:00', true)).toBe(1440);
    expect(parseClockTime('9:05')).toBeNull();
    expect(parseClockTime('12:60')).toBeNull();
  });
});
