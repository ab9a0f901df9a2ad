import { z } from 'zod';
import {
  HOUR_MS,
  type LocalDate,
  addDays,
  formatLocalDate,
  instantAt,
  isValidTimeZone,
  localDateOf,
  parseClockTime,
  parseLocalDate,
  weekdayOf,
} from './zoned.js';

/** Indexed as Date#getDay: 0 = Sunday. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const CALENDAR_LIMITS = { intervalsPerDay: 12, holidays: 366 } as const;

export const weekday = z.enum(WEEKDAYS, { message: `must be one of ${WEEKDAYS.join(', ')}` });

export const timeZoneName = z
  .string({ message: 'must be a string' })
  .max(64, { message: 'must be at most 64 characters' })
  .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' });

export const clockTime = z
  .string({ message: 'must be a string' })
  .refine((v) => parseClockTime(v) !== null, { message: 'must be a time HH:MM between 00:00 and 23:59' });

const closingTime = z
  .string({ message: 'must be a string' })
  .refine((v) => parseClockTime(v, true) !== null, { message: 'must be a time HH:MM between 00:01 and 24:00' });

export const localDateString = z
  .string({ message: 'must be a string' })
  .refine((v) => parseLocalDate(v) !== null, { message: 'must be a date YYYY-MM-DD' });

/** One opening, e.g. 09:00–12:00; "24:00" closes at midnight. Overnight hours are two intervals. */
export const openInterval = z.strictObject({ start: clockTime, end: closingTime }, { message: 'must be an interval {start, end}' });
export type OpenInterval = z.infer<typeof openInterval>;

export const dayHours = z
  .array(openInterval, { message: 'must be a list of {start, end} intervals' })
  .max(CALENDAR_LIMITS.intervalsPerDay, { message: `must have at most ${CALENDAR_LIMITS.intervalsPerDay} intervals` })
  .superRefine((intervals, ctx) => {
    intervals.forEach((iv, i) => {
      const start = parseClockTime(iv.start);
      const end = parseClockTime(iv.end, true);
      if (start === null || end === null) return; // already reported on the field
      if (end <= start) ctx.addIssue({ code: 'custom', path: [i, 'end'], message: `must be after start (${iv.start})` });
      const prev = intervals[i - 1];
      const prevEnd = prev ? parseClockTime(prev.end, true) : null;
      if (prev && prevEnd !== null && start < prevEnd) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'start'],
          message: `must not be before the previous interval ends (${prev.end}): list intervals in order, without overlaps`,
        });
      }
    });
  });

export const weeklyHours = z.strictObject(
  Object.fromEntries(WEEKDAYS.map((d) => [d, dayHours.default([])])) as Record<Weekday, z.ZodDefault<typeof dayHours>>,
);
export type WeeklyHours = z.infer<typeof weeklyHours>;

export const businessHoursSettings = z
  .strictObject({
    timeZone: timeZoneName,
    weeklyHours,
    // Dates on the organization's own calendar, closed all day.
    holidays: z
      .array(localDateString, { message: 'must be a list of dates YYYY-MM-DD' })
      .max(CALENDAR_LIMITS.holidays, { message: `must have at most ${CALENDAR_LIMITS.holidays} dates` })
      .superRefine((dates, ctx) => {
        const seen = new Set<string>();
        dates.forEach((d, i) => {
          if (seen.has(d)) ctx.addIssue({ code: 'custom', path: [i], message: `repeats ${d}` });
          seen.add(d);
        });
      })
      .default([]),
  })
  .superRefine((s, ctx) => {
    // A week with no opening would leave every deadline and "next business day" unreachable.
    if (WEEKDAYS.every((d) => s.weeklyHours[d].length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['weeklyHours'], message: 'must open at least one interval in the week' });
    }
  });
export type BusinessHoursSettings = z.infer<typeof businessHoursSettings>;
export type BusinessHoursSettingsInput = z.input<typeof businessHoursSettings>;

/** A stretch of open time as instants (ms since the epoch), start inclusive, end exclusive. */
export interface OpenSpan {
  start: number;
  end: number;
}

// With at least one weekly opening and at most 366 holidays, an opening comes
// within 366 weeks and a few days; scanning further means the settings are broken.
const MAX_CLOSED_DAYS = CALENDAR_LIMITS.holidays * 7 + 14;

/**
 * An organization's opening hours as instants. An interval on a date runs from
 * the first moment the clocks read its start to the first moment they read its
 * end (see instantAt): on a spring-forward day 09:00–17:00 is an hour shorter
 * only if the jump falls inside it, and a time inside the jump opens at the jump.
 */
export class BusinessCalendar {
  readonly timeZone: string;
  readonly settings: BusinessHoursSettings;
  private readonly weekly: Array<Array<[number, number]>>;
  private readonly holidays: ReadonlySet<string>;
  private readonly spansByDate = new Map<string, OpenSpan[]>();

  constructor(settings: BusinessHoursSettingsInput) {
    // Parsed here too: unchecked settings could make a scan run forever.
    this.settings = businessHoursSettings.parse(settings);
    this.timeZone = this.settings.timeZone;
    this.weekly = WEEKDAYS.map((d) =>
      this.settings.weeklyHours[d].map((iv) => [parseClockTime(iv.start) ?? 0, parseClockTime(iv.end, true) ?? 0]),
    );
    this.holidays = new Set(this.settings.holidays);
  }

  /** Open for some part of the week's hours and not a holiday. */
  isBusinessDay(date: LocalDate): boolean {
    return (this.weekly[weekdayOf(date)]?.length ?? 0) > 0 && !this.holidays.has(formatLocalDate(date));
  }

  /** The first business day after `date`. */
  nextBusinessDay(date: LocalDate): LocalDate {
    let d = addDays(date, 1);
    for (let i = 0; i < MAX_CLOSED_DAYS; i++, d = addDays(d, 1)) {
      if (this.isBusinessDay(d)) return d;
    }
    throw new RangeError(`no business day within ${MAX_CLOSED_DAYS} days of ${formatLocalDate(date)}`);
  }

  isOpen(instant: Date): boolean {
    const t = instant.getTime();
    return this.firstSpanFrom(t).start <= t;
  }

  /** `instant` itself when open, else the moment it next opens. */
  nextOpening(instant: Date): Date {
    const t = instant.getTime();
    return new Date(Math.max(this.firstSpanFrom(t).start, t));
  }

  /**
   * The instant after `hours` of open time from `instant`, to the millisecond.
   * Work that ends exactly at closing is due at closing (Friday 16:00 + 1 h
   * with 09–17 hours is Friday 17:00), not at the next opening. Zero hours is
   * `instant` itself, open or not.
   */
  addBusinessHours(instant: Date, hours: number): Date {
    if (!Number.isFinite(hours) || hours < 0) throw new RangeError('hours must be a finite number, at least 0');
    const t = instant.getTime();
    let left = Math.round(hours * HOUR_MS);
    if (left === 0) return new Date(t);
    for (const span of this.spansFrom(t)) {
      const from = Math.max(span.start, t);
      if (left <= span.end - from) return new Date(from + left);
      left -= span.end - from;
    }
    throw new RangeError('no opening ahead'); // not reached: spansFrom never ends
  }

  /** Open hours between two instants; negative when `b` is before `a`. */
  businessHoursBetween(a: Date, b: Date): number {
    const from = a.getTime();
    const to = b.getTime();
    if (to < from) return -this.businessHoursBetween(b, a);
    let open = 0;
    for (const span of this.spansFrom(from)) {
      if (span.start >= to) break;
      open += Math.min(span.end, to) - Math.max(span.start, from);
    }
    return open / HOUR_MS;
  }

  /** The open spans of one local date, in order; none on a holiday. */
  spansOn(date: LocalDate): readonly OpenSpan[] {
    const key = formatLocalDate(date);
    let spans = this.spansByDate.get(key);
    if (!spans) {
      spans = this.holidays.has(key)
        ? []
        : (this.weekly[weekdayOf(date)] ?? [])
            .map(([s, e]) => ({ start: instantAt(this.timeZone, date, s), end: instantAt(this.timeZone, date, e) }))
            // An interval wholly inside a spring-forward jump never happens.
            .filter((span) => span.end > span.start);
      if (this.spansByDate.size > 4096) this.spansByDate.clear();
      this.spansByDate.set(key, spans);
    }
    return spans;
  }

  private firstSpanFrom(t: number): OpenSpan {
    const first = this.spansFrom(t).next();
    if (first.done) throw new RangeError('no opening ahead'); // spansFrom never ends; it throws
    return first.value;
  }

  /** Open spans in order, from the one containing or following `t`. */
  private *spansFrom(t: number): Generator<OpenSpan> {
    // Earlier dates' spans end by this date's midnight (instantAt is monotone), which is not after t.
    let date = localDateOf(this.timeZone, t);
    let closedDays = 0;
    for (;;) {
      const spans = this.spansOn(date);
      closedDays = spans.length ? 0 : closedDays + 1;
      if (closedDays > MAX_CLOSED_DAYS) throw new RangeError(`closed for more than ${MAX_CLOSED_DAYS} days from ${new Date(t).toISOString()}`);
      for (const span of spans) if (span.end > t) yield span;
      date = addDays(date, 1);
    }
  }
}

/** Accepts a calendar or plain settings, so callers holding stored settings need not build one. */
export function toBusinessCalendar(source: BusinessCalendar | BusinessHoursSettingsInput): BusinessCalendar {
  return source instanceof BusinessCalendar ? source : new BusinessCalendar(source);
}
