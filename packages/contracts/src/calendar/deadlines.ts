import { z } from 'zod';
import { type BusinessCalendar, type BusinessHoursSettingsInput, clockTime, toBusinessCalendar } from './business-hours.js';
import { HOUR_MS, instantAt, localDateOf, parseClockTime } from './zoned.js';

export const DEADLINE_LIMITS = { businessHoursMax: 2000, calendarHoursMax: 24 * 366 } as const;

function hours(max: number) {
  return z
    .number({ message: 'must be a number' })
    .positive({ message: 'must be more than 0' })
    .max(max, { message: `must be at most ${max}` })
    .refine((h) => Math.abs(h * 60 - Math.round(h * 60)) < 1e-9, { message: 'must be a whole number of minutes, e.g. 1.5 or 0.25' });
}

export const DEADLINE_DAYS = ['same_or_next_business_day', 'next_business_day'] as const;

export const deadlineRule = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('business_hours'), hours: hours(DEADLINE_LIMITS.businessHoursMax) }),
    z.strictObject({ kind: z.literal('calendar_hours'), hours: hours(DEADLINE_LIMITS.calendarHoursMax) }),
    z.strictObject({
      kind: z.literal('by_time'),
      time: clockTime,
      day: z.enum(DEADLINE_DAYS, { message: `must be one of ${DEADLINE_DAYS.join(', ')}` }),
    }),
  ],
  { message: 'must be one of business_hours, calendar_hours, by_time' },
);
export type DeadlineRule = z.infer<typeof deadlineRule>;

/**
 * When work submitted at `submittedAt` is due under `rule`, in the
 * organization's zone and hours.
 *
 * - business_hours: that much open time (see BusinessCalendar#addBusinessHours).
 * - calendar_hours: that much elapsed time, so 24 h across a DST change shows
 *   as 23 or 25 h on the wall clock.
 * - by_time, same_or_next_business_day: today at T if today is a business day
 *   and T is still ahead, else the next business day at T.
 * - by_time, next_business_day: the next business day at T, whatever the hour.
 * A T that the clocks skip on a spring-forward day means the moment of the jump.
 */
export function deadlineFor(
  rule: DeadlineRule,
  submittedAt: Date,
  settings: BusinessCalendar | BusinessHoursSettingsInput,
): Date {
  const calendar = toBusinessCalendar(settings);
  const t = submittedAt.getTime();
  switch (rule.kind) {
    case 'calendar_hours':
      return new Date(t + Math.round(rule.hours * HOUR_MS));
    case 'business_hours':
      return calendar.addBusinessHours(submittedAt, rule.hours);
    case 'by_time': {
      const minute = parseClockTime(rule.time);
      if (minute === null) throw new RangeError(`time ${rule.time} is not HH:MM`);
      const zone = calendar.timeZone;
      const today = localDateOf(zone, t);
      if (rule.day === 'same_or_next_business_day' && calendar.isBusinessDay(today)) {
        const due = instantAt(zone, today, minute);
        if (t < due) return new Date(due);
      }
      return new Date(instantAt(zone, calendar.nextBusinessDay(today), minute));
    }
  }
}
