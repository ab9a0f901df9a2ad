import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BusinessCalendar,
  type BusinessHoursSettings,
  type OpenInterval,
  WEEKDAYS,
  type Weekday,
} from './business-hours.js';
import { deadlineFor } from './deadlines.js';
import { type RecurrenceRule, nextRuns, runsBetween } from './recurrence.js';
import {
  HOUR_MS,
  type LocalDate,
  MINUTE_MS,
  addDays,
  compareDates,
  daysInMonth,
  formatLocalDate,
  instantAt,
  localDateOf,
  minuteOfDayAt,
  offsetAt,
  weekdayOf,
} from './zoned.js';

// Real zones with the awkward cases: DST north and south, offsets of 30 and
// 45 minutes, a DST step of 30 minutes, changes at midnight, and zones that
// dropped DST within the years tested.
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/St_Johns', // −03:30 with DST
  'America/Santiago', // southern DST, changes at midnight
  'America/Sao_Paulo', // dropped DST in 2019
  'Africa/Cairo', // DST back since 2023, changes at midnight
  'Asia/Tehran', // +03:30, DST until 2022 at midnight
  'Asia/Kolkata', // +05:30
  'Asia/Kathmandu', // +05:45
  'Asia/Tokyo',
  'Australia/Adelaide', // +09:30 / +10:30, southern DST
  'Australia/Lord_Howe', // DST step of 30 minutes
  'Pacific/Chatham', // +12:45 / +13:45
  'Pacific/Auckland',
];

const FROM = Date.UTC(2020, 0, 1);
const TO = Date.UTC(2032, 0, 1);
// Long enough to be sized by count, not time, on a busy machine.
const TIMEOUT = 180_000;

const zone = fc.constantFrom(...ZONES);
const localDate = fc.integer({ min: 0, max: 365 * 12 }).map((n) => addDays({ year: 2020, month: 1, day: 1 }, n));
const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

// The zone's clock changes in the years tested, found by weekly steps (no zone
// here changes twice in a week) and bisection to the second.
const changesByZone = new Map<string, number[]>();
function clockChanges(tz: string): number[] {
  let changes = changesByZone.get(tz);
  if (changes) return changes;
  changes = [];
  const WEEK = 7 * 86_400_000;
  for (let t = FROM; t < TO; t += WEEK) {
    if (offsetAt(tz, t) === offsetAt(tz, t + WEEK)) continue;
    let [lo, hi] = [t / 1000, (t + WEEK) / 1000];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(tz, mid * 1000) === offsetAt(tz, t)) lo = mid;
      else hi = mid;
    }
    changes.push(hi * 1000);
  }
  changesByZone.set(tz, changes);
  return changes;
}

// Instants to the minute (where edges coincide) and to the millisecond, often
// within a day and a half of one of the zone's clock changes.
function instantIn(tz: string): fc.Arbitrary<number> {
  const anywhere = fc.integer({ min: FROM, max: TO });
  const nearChange = fc.tuple(fc.nat(), fc.integer({ min: -36 * 60, max: 36 * 60 }), fc.integer({ min: 0, max: 59_999 })).map(([i, minutes, ms]) => {
    const changes = clockChanges(tz);
    const change = changes[i % Math.max(changes.length, 1)] ?? FROM + i * MINUTE_MS;
    return change + minutes * MINUTE_MS + (i % 3 === 0 ? ms : 0);
  });
  return fc.oneof(anywhere.map((t) => t - (t % MINUTE_MS)), anywhere, nearChange, nearChange);
}

// A day's hours: ordered, non-overlapping intervals on a 15-minute grid (so they
// meet clock changes exactly), up to "24:00"; often plain office hours.
const dayHours: fc.Arbitrary<OpenInterval[]> = fc.oneof(
  fc.constant<OpenInterval[]>([{ start: '09:00', end: '17:00' }]),
  fc.constant<OpenInterval[]>([]),
  fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { maxLength: 6 }).map((xs) => {
    const sorted = xs.sort((a, b) => a - b);
    const intervals: OpenInterval[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) intervals.push({ start: hhmm((sorted[i] ?? 0) * 15), end: hhmm((sorted[i + 1] ?? 0) * 15) });
    return intervals;
  }),
);
function settingsIn(tz: string): fc.Arbitrary<BusinessHoursSettings> {
  return fc
    .record({
      timeZone: fc.constant(tz),
      weeklyHours: fc.record(Object.fromEntries(WEEKDAYS.map((d) => [d, dayHours])) as Record<Weekday, typeof dayHours>),
      holidays: fc.uniqueArray(localDate.map(formatLocalDate), { maxLength: 40 }),
    })
    .filter((s) => Object.values(s.weeklyHours).some((day) => day.length > 0));
}
/** Random settings in a random zone, and an instant there. */
const zoned = zone.chain((tz) => fc.record({ s: settingsIn(tz), t: instantIn(tz) }));
const DAY = 86_400_000;

/** No clock change within three hours either side: where wall time and instants agree simply. */
function steady(tz: string, t: number): boolean {
  const o = offsetAt(tz, t);
  return offsetAt(tz, t - 3 * HOUR_MS) === o && offsetAt(tz, t + 3 * HOUR_MS) === o;
}

describe('business hours (properties)', () => {
  it('adding a + b hours is adding a, then b', () => {
    fc.assert(
      // a and b in whole minutes, up to 60 hours each
      fc.property(zoned, fc.integer({ min: 0, max: 60 * 60 }), fc.integer({ min: 0, max: 60 * 60 }), ({ s, t }, a, b) => {
        const sut = new BusinessCalendar(s);
        const once = sut.addBusinessHours(new Date(t), (a + b) / 60);
        const twice = sut.addBusinessHours(sut.addBusinessHours(new Date(t), a / 60), b / 60);
        expect(twice.toISOString()).toBe(once.toISOString());
      }),
    );
  }, TIMEOUT);

  it('the open time between t and t + h business hours is h, and the end is open or a closing', () => {
    fc.assert(
      fc.property(zoned, fc.integer({ min: 0, max: 80 * 60 }).map((m) => m / 60), ({ s, t }, h) => {
        const sut = new BusinessCalendar(s);
        const end = sut.addBusinessHours(new Date(t), h);
        expect(sut.businessHoursBetween(new Date(t), end)).toBe(h);
        if (h > 0) {
          expect(end.getTime()).toBeGreaterThan(t);
          expect(sut.isOpen(end) || sut.isOpen(new Date(end.getTime() - 1))).toBe(true);
        }
      }),
    );
  }, TIMEOUT);

  it('open time adds up over consecutive stretches', () => {
    fc.assert(
      fc.property(zoned, fc.integer({ min: 0, max: 40 * DAY }), fc.integer({ min: 0, max: 40 * DAY }), ({ s, t: a }, ab, bc) => {
        const sut = new BusinessCalendar(s);
        const [b, c] = [a + ab, a + ab + bc];
        const ms = (x: number, y: number) => Math.round(sut.businessHoursBetween(new Date(x), new Date(y)) * HOUR_MS);
        expect(ms(a, c)).toBe(ms(a, b) + ms(b, c));
      }),
    );
  }, TIMEOUT);

  it('the next opening is open, not before t, with no open time in between; it is t exactly when open', () => {
    fc.assert(
      fc.property(zoned, ({ s, t }) => {
        const sut = new BusinessCalendar(s);
        const next = sut.nextOpening(new Date(t));
        expect(next.getTime()).toBeGreaterThanOrEqual(t);
        expect(sut.isOpen(next)).toBe(true);
        expect(sut.businessHoursBetween(new Date(t), next)).toBe(0);
        expect(next.getTime() === t).toBe(sut.isOpen(new Date(t)));
      }),
    );
  }, TIMEOUT);

  it('is open exactly when the local clock is inside a listed interval on a non-holiday (away from clock changes)', () => {
    fc.assert(
      fc.property(zoned, ({ s, t }) => {
        fc.pre(steady(s.timeZone, t));
        const date = localDateOf(s.timeZone, t);
        const minute = minuteOfDayAt(s.timeZone, t);
        const day = s.weeklyHours[WEEKDAYS[weekdayOf(date)] ?? 'sun'];
        const byClock =
          !s.holidays.includes(formatLocalDate(date)) &&
          day.some((iv) => minute >= toMinutes(iv.start) && minute < toMinutes(iv.end));
        expect(new BusinessCalendar(s).isOpen(new Date(t))).toBe(byClock);
      }),
    );
  }, TIMEOUT);

  it('"by T on the same or next business day" is the first T on a business day after submission', () => {
    fc.assert(
      fc.property(zoned, fc.integer({ min: 0, max: 1439 }), ({ s, t }, minute) => {
        const sut = new BusinessCalendar(s);
        const due = deadlineFor({ kind: 'by_time', time: hhmm(minute), day: 'same_or_next_business_day' }, new Date(t), sut).getTime();
        const dueDate = localDateOf(s.timeZone, due);
        expect(due).toBeGreaterThan(t);
        expect(sut.isBusinessDay(dueDate)).toBe(true);
        if (steady(s.timeZone, due)) expect(minuteOfDayAt(s.timeZone, due)).toBe(minute);
        // no business day in between would have done
        for (let d = localDateOf(s.timeZone, t); compareDates(d, dueDate) < 0; d = addDays(d, 1)) {
          if (sut.isBusinessDay(d)) expect(instantAt(s.timeZone, d, minute)).toBeLessThanOrEqual(t);
        }
      }),
    );
  }, TIMEOUT);
});

/** "YYYY-MM-DD HH:MM" as the zone's clocks show it, which sorts as time does. */
function wall(tz: string, t: number): string {
  return `${formatLocalDate(localDateOf(tz, t))} ${hhmm(minuteOfDayAt(tz, t))}`;
}

function toMinutes(hhmmText: string): number {
  const [h = 0, m = 0] = hhmmText.split(':').map(Number);
  return h * 60 + m;
}

// Rules of every kind, starting somewhere in 2020–2030 and sometimes ending.
// Often in the small hours, where the clocks change.
const time = fc.oneof(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 240 })).map(hhmm);
const windowArb = fc
  .tuple(fc.integer({ min: FROM, max: Date.UTC(2030, 0, 1) }), fc.option(fc.integer({ min: 1, max: 2 * 366 * DAY }), { nil: undefined }))
  .map(([start, length]) => ({
    start: new Date(start).toISOString(),
    ...(length === undefined ? {} : { end: new Date(start + length).toISOString() }),
  }));
const cronArb = fc
  .tuple(
    fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 2 }),
    fc.oneof(fc.constant('*'), fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 4 }).map((xs) => xs.join(','))),
    fc.constantFrom('*', '1', '15', '28-31', '*/10'),
    fc.constantFrom('*', '1-6', '3,10'),
    fc.constantFrom('*', '1-5', '0,6', '5'),
  )
  .map(([m, h, dom, mon, dow]) => `${m.join(',')} ${h} ${dom} ${mon} ${dow}`);
const rule: fc.Arbitrary<RecurrenceRule> = fc.oneof(
  fc.tuple(time, windowArb).map(([t, w]) => ({ kind: 'daily' as const, time: t, ...w })),
  fc.tuple(time, windowArb).map(([t, w]) => ({ kind: 'weekdays' as const, time: t, ...w })),
  fc.tuple(fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1 }), time, windowArb).map(([days, t, w]) => ({ kind: 'weekly' as const, days, time: t, ...w })),
  fc.tuple(fc.integer({ min: 1, max: 31 }), time, windowArb).map(([day, t, w]) => ({ kind: 'monthly_day' as const, day, time: t, ...w })),
  fc.tuple(time, windowArb).map(([t, w]) => ({ kind: 'monthly_last_business_day' as const, time: t, ...w })),
  fc.tuple(cronArb, windowArb).map(([expression, w]) => ({ kind: 'cron' as const, expression, ...w })),
);

/** The date a calendar rule (not cron) may run on. */
function dateFits(r: RecurrenceRule, date: LocalDate, sut: BusinessCalendar): boolean {
  const wd = weekdayOf(date);
  switch (r.kind) {
    case 'daily':
      return true;
    case 'weekdays':
      return wd >= 1 && wd <= 5;
    case 'weekly':
      return r.days.includes(WEEKDAYS[wd] ?? 'sun');
    case 'monthly_day':
      return date.day === Math.min(r.day, daysInMonth(date.year, date.month));
    case 'monthly_last_business_day': {
      if (!sut.isBusinessDay(date)) return false;
      for (let d = date.day + 1; d <= daysInMonth(date.year, date.month); d++) if (sut.isBusinessDay({ ...date, day: d })) return false;
      return true;
    }
    case 'cron':
      return true;
  }
}

describe('recurrence (properties)', () => {
  it('next runs are strictly increasing, after `after`, inside the rule’s window, on fitting dates at the rule’s time', () => {
    fc.assert(
      fc.property(rule, zoned, (r, { s, t: after }) => {
        const sut = new BusinessCalendar(s);
        const runs = nextRuns(r, new Date(after), 25, sut).map((d) => d.getTime());
        const start = Date.parse(r.start);
        const end = r.end === undefined ? Infinity : Date.parse(r.end);
        runs.forEach((run, i) => {
          expect(run).toBeGreaterThan(i === 0 ? after : (runs[i - 1] ?? 0));
          expect(run).toBeGreaterThanOrEqual(start);
          expect(run).toBeLessThanOrEqual(end);
          if (r.kind !== 'cron' && steady(s.timeZone, run)) {
            expect(hhmm(minuteOfDayAt(s.timeZone, run))).toBe(r.time);
            expect(dateFits(r, localDateOf(s.timeZone, run), sut)).toBe(true);
          }
        });
        // without an end, a rule always has 25 more runs
        if (r.end === undefined) expect(runs).toHaveLength(25);
      }),
      { numRuns: 150 },
    );
  }, TIMEOUT);

  it('a daily rule runs once on every local day of a whole year, at its time or, in a gap, at the jump', () => {
    fc.assert(
      fc.property(zone, fc.integer({ min: 2020, max: 2031 }), fc.integer({ min: 0, max: 1439 }), (tz, year, minute) => {
        const s = { timeZone: tz, weeklyHours: { mon: [{ start: '09:00', end: '17:00' }] } };
        const first: LocalDate = { year, month: 1, day: 1 };
        const from = instantAt(tz, first, 0) - 1;
        const to = instantAt(tz, { year: year + 1, month: 1, day: 1 }, 0) - 1;
        const runs = runsBetween({ kind: 'daily', time: hhmm(minute), start: '2000-01-01T00:00:00Z' }, new Date(from), new Date(to), s).map((d) => d.getTime());
        expect(runs).toHaveLength(daysInMonth(year, 2) === 29 ? 366 : 365);
        runs.forEach((run, i) => {
          expect(localDateOf(tz, run)).toEqual(addDays(first, i));
          const wanted = `${formatLocalDate(addDays(first, i))} ${hhmm(minute)}`;
          if (wall(tz, run) === wanted) {
            // the first time the clocks show it: not an hour (or half hour) earlier too
            for (const back of [30, 60]) {
              const earlier = run - back * MINUTE_MS;
              if (compareDates(localDateOf(tz, earlier), addDays(first, i)) === 0) expect(minuteOfDayAt(tz, earlier)).not.toBe(minute);
            }
          } else {
            // skipped by a spring-forward jump: the run is the jump itself
            expect(offsetAt(tz, run - 1)).toBeLessThan(offsetAt(tz, run));
            expect(wall(tz, run - 1) < wanted && wall(tz, run) > wanted).toBe(true);
          }
        });
      }),
      { numRuns: 40 },
    );
  }, TIMEOUT);

  it('runs in (a, c] are the runs in (a, b] followed by those in (b, c]', () => {
    fc.assert(
      fc.property(rule, zoned, fc.integer({ min: 0, max: 40 * DAY }), fc.integer({ min: 0, max: 40 * DAY }), fc.boolean(), (r, { s, t: a }, ab, bc, splitAtRun) => {
        const sut = new BusinessCalendar(s);
        const iso = (from: number, to: number) => runsBetween(r, new Date(from), new Date(to), sut).map((d) => d.toISOString());
        // Splitting exactly at a run is where an inclusive/exclusive slip would show.
        const b = (splitAtRun ? nextRuns(r, new Date(a), 1, sut)[0]?.getTime() : undefined) ?? a + ab;
        const c = b + bc;
        expect(iso(a, c)).toEqual([...iso(a, b), ...iso(b, c)]);
      }),
    );
  }, TIMEOUT);

  it('next runs are the start of the runs in a window, and resume from any of them', () => {
    fc.assert(
      fc.property(rule, zoned, fc.integer({ min: 1, max: 10 }), (r, { s, t: after }, k) => {
        const sut = new BusinessCalendar(s);
        const next = nextRuns(r, new Date(after), 10, sut).map((d) => d.toISOString());
        const last = next.at(-1);
        if (last === undefined) return;
        expect(runsBetween(r, new Date(after), new Date(last), sut).map((d) => d.toISOString())).toEqual(next);
        const resumeAt = next[Math.min(k, next.length) - 1] ?? '';
        expect(nextRuns(r, new Date(resumeAt), 10, sut).map((d) => d.toISOString()).slice(0, next.length - Math.min(k, next.length))).toEqual(next.slice(Math.min(k, next.length)));
      }),
    );
  }, TIMEOUT);
});
