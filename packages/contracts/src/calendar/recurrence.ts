import { z } from 'zod';
import { isoDate } from '../schemas/common.js';
import {
  type BusinessCalendar,
  type BusinessHoursSettingsInput,
  WEEKDAYS,
  clockTime,
  toBusinessCalendar,
  weekday,
} from './business-hours.js';
import { CronSyntaxError, cronMatchesDate, parseCron } from './cron.js';
import { HOUR_MS, type LocalDate, addDays, daysInMonth, instantAt, localDateOf, parseClockTime, weekdayOf } from './zoned.js';

export const cronExpression = z
  .string({ message: 'must be a string' })
  .max(200, { message: 'must be at most 200 characters' })
  .superRefine((v, ctx) => {
    try {
      parseCron(v);
    } catch (e) {
      if (!(e instanceof CronSyntaxError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
    }
  });

// Every rule runs from `start` (inclusive) to `end` (inclusive), when given.
const window = { start: isoDate, end: isoDate.optional() };

export const RECURRENCE_KINDS = ['daily', 'weekdays', 'weekly', 'monthly_day', 'monthly_last_business_day', 'cron'] as const;

export const recurrenceRule = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('daily'), time: clockTime, ...window }),
      // Monday to Friday, holidays included: "weekdays" is about the week, not the business calendar.
      z.strictObject({ kind: z.literal('weekdays'), time: clockTime, ...window }),
      z.strictObject({
        kind: z.literal('weekly'),
        days: z
          .array(weekday, { message: 'must be a list of weekdays' })
          .min(1, { message: 'must name at least one day' })
          .refine((days) => new Set(days).size === days.length, { message: 'must not repeat a day' }),
        time: clockTime,
        ...window,
      }),
      // Day 29–31 in a shorter month means its last day: "the 31st" runs on 30 April and 28 February.
      z.strictObject({
        kind: z.literal('monthly_day'),
        day: z
          .number({ message: 'must be a number' })
          .int({ message: 'must be an integer' })
          .min(1, { message: 'must be at least 1' })
          .max(31, { message: 'must be at most 31' }),
        time: clockTime,
        ...window,
      }),
      // The month's last date that is open by the weekly hours and not a holiday.
      z.strictObject({ kind: z.literal('monthly_last_business_day'), time: clockTime, ...window }),
      z.strictObject({ kind: z.literal('cron'), expression: cronExpression, ...window }),
    ],
    { message: `must be one of ${RECURRENCE_KINDS.join(', ')}` },
  )
  .superRefine((rule, ctx) => {
    if (rule.end !== undefined && Date.parse(rule.end) <= Date.parse(rule.start)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    }
  });
export type RecurrenceRule = z.infer<typeof recurrenceRule>;

export const RECURRENCE_LIMITS = { nextRunsMax: 1000 } as const;

// A rule that has not fired for ten years is over (a cron for 29 February
// fires every four to eight years; every other rule at least monthly).
const MAX_IDLE_DAYS = 3660;
// Any instant on a local date is at most 14 h before that date's midnight read as UTC.
const MAX_AHEAD_OF_UTC = 14 * HOUR_MS;

/** Minutes past midnight at which the rule fires on a local date, ascending. */
function timesFor(rule: RecurrenceRule, calendar: BusinessCalendar): (date: LocalDate) => readonly number[] {
  if (rule.kind === 'cron') {
    const cron = parseCron(rule.expression);
    return (date) => (cronMatchesDate(cron, date) ? cron.times : []);
  }
  const at = [parseClockTime(rule.time) ?? 0];
  switch (rule.kind) {
    case 'daily':
      return () => at;
    case 'weekdays':
      return (date) => (weekdayOf(date) === 0 || weekdayOf(date) === 6 ? [] : at);
    case 'weekly': {
      const days = new Set(rule.days.map((d) => WEEKDAYS.indexOf(d)));
      return (date) => (days.has(weekdayOf(date)) ? at : []);
    }
    case 'monthly_day':
      return (date) => (date.day === Math.min(rule.day, daysInMonth(date.year, date.month)) ? at : []);
    case 'monthly_last_business_day':
      return (date) => (isLastBusinessDayOfMonth(calendar, date) ? at : []);
  }
}

function isLastBusinessDayOfMonth(calendar: BusinessCalendar, date: LocalDate): boolean {
  if (!calendar.isBusinessDay(date)) return false;
  for (let day = date.day + 1; day <= daysInMonth(date.year, date.month); day++) {
    if (calendar.isBusinessDay({ ...date, day })) return false;
  }
  return true;
}

/**
 * The index of the first of a date's times (ascending) that maps after `from`.
 * instantAt is monotone, so a binary search: an every-minute cron read from
 * late in the day walked every earlier minute through the zone's formatter,
 * 0.26 s a schedule for `runsBetween` + `nextRuns` at 21:00 in Berlin (bench/scenarios/schedule.mjs, profiled).
 */
function firstAfter(zone: string, date: LocalDate, times: readonly number[], from: number): number {
  if (times.length === 0 || instantAt(zone, date, times[0]!) > from) return 0; // any date after from's: all of them
  let lo = 1;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (instantAt(zone, date, times[mid]!) > from) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Run instants after `afterMs`, ascending, each once. Each local date's wall
 * times map through instantAt, so a time the clocks skip runs at the jump and
 * a time they repeat runs the first time; two times that land on the same
 * instant (cron times inside one jump) are one run.
 */
function* runsAfter(unchecked: RecurrenceRule, afterMs: number, calendar: BusinessCalendar): Generator<number> {
  const rule = recurrenceRule.parse(unchecked); // a stored rule may predate today's checks
  const zone = calendar.timeZone;
  const end = rule.end === undefined ? Infinity : Date.parse(rule.end);
  const from = Math.max(afterMs, Date.parse(rule.start) - 1); // r > from: after `after`, at or after start
  const timesOn = timesFor(rule, calendar);
  let last = -Infinity;
  let idle = 0;
  // Earlier dates' runs come by this date's midnight (instantAt is monotone), which is not after `from`.
  for (let date = localDateOf(zone, from); idle <= MAX_IDLE_DAYS; date = addDays(date, 1), idle++) {
    if (Date.UTC(date.year, date.month - 1, date.day) - MAX_AHEAD_OF_UTC > end) return;
    const times = timesOn(date);
    for (let k = firstAfter(zone, date, times, from); k < times.length; k++) {
      const run = instantAt(zone, date, times[k]!);
      if (run > end) return;
      if (run > from && run > last) {
        last = run;
        idle = 0;
        yield run;
      }
    }
  }
}

/** The next `count` runs strictly after `after`. Fewer when the rule ends first. */
export function nextRuns(
  rule: RecurrenceRule,
  after: Date,
  count: number,
  settings: BusinessCalendar | BusinessHoursSettingsInput,
): Date[] {
  if (!Number.isInteger(count) || count < 0 || count > RECURRENCE_LIMITS.nextRunsMax) {
    throw new RangeError(`count must be an integer from 0 to ${RECURRENCE_LIMITS.nextRunsMax}`);
  }
  const runs: Date[] = [];
  if (count === 0) return runs;
  for (const run of runsAfter(rule, after.getTime(), toBusinessCalendar(settings))) {
    runs.push(new Date(run));
    if (runs.length === count) break;
  }
  return runs;
}

/**
 * The runs in (from, to]: after `from`, up to and including `to`. Half-open,
 * so consecutive windows share no run; after an outage the caller creates only
 * the latest of these.
 */
export function runsBetween(
  rule: RecurrenceRule,
  from: Date,
  to: Date,
  settings: BusinessCalendar | BusinessHoursSettingsInput,
): Date[] {
  const runs: Date[] = [];
  const until = to.getTime();
  for (const run of runsAfter(rule, from.getTime(), toBusinessCalendar(settings))) {
    if (run > until) break;
    runs.push(new Date(run));
  }
  return runs;
}

/**
 * `runsBetween(rule, from, to)` and `nextRuns(rule, to, 1)` in one walk: the
 * runs in (from, to] and the first one after `to` (null once the rule ends).
 * A schedule's run asks both; one walk reads the zone's clock half as often.
 */
export function runsThrough(
  rule: RecurrenceRule,
  from: Date,
  to: Date,
  settings: BusinessCalendar | BusinessHoursSettingsInput,
): { due: Date[]; next: Date | null } {
  const due: Date[] = [];
  const until = to.getTime();
  for (const run of runsAfter(rule, from.getTime(), toBusinessCalendar(settings))) {
    if (run > until) return { due, next: new Date(run) };
    due.push(new Date(run));
  }
  return { due, next: null };
}

/**
 * One id per (schedule, scheduled instant), whichever worker computes it, so
 * a run enqueued twice collapses into one job. `/` separates the parts and the
 * instant drops ISO's colons because BullMQ reserves `:` in custom ids.
 */
export function scheduleRunId(scheduleId: string, scheduledAt: Date): string {
  const instant = scheduledAt.toISOString().replace(/[-:]/g, '').replace('.000Z', 'Z');
  return `schedule-run/${scheduleId}/${instant}`;
}
