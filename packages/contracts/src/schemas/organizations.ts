import { z } from 'zod';
import {
  CALENDAR_LIMITS,
  WEEKDAYS,
  dayHours,
  localDateString,
  openInterval,
  timeZoneName,
  type BusinessHoursSettings,
  type Weekday,
} from '../calendar/business-hours.js';
import { monthlyBudgetCents } from './budgets.js';
import { PREFERRED_HEAD_START_MAX_SECONDS } from './quality.js';

/** What a new organization starts with: UTC, Monday to Friday 09:00–17:00, no holidays. */
export const DEFAULT_BUSINESS_HOURS: BusinessHoursSettings = {
  timeZone: 'UTC',
  weeklyHours: Object.fromEntries(
    WEEKDAYS.map((d) => [d, d === 'sat' || d === 'sun' ? [] : [{ start: '09:00', end: '17:00' }]]),
  ) as BusinessHoursSettings['weeklyHours'],
  holidays: [],
};

/**
 * A change of settings: each field given replaces the stored one; in
 * `weeklyHours` each weekday given replaces that day's intervals and the
 * others stay. The result is checked as a whole (a week must open somewhere).
 */
export const updateOrganizationSettingsBody = z
  .strictObject({
    timeZone: timeZoneName.optional(),
    weeklyHours: z
      .strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, dayHours.optional()])) as Record<Weekday, z.ZodOptional<typeof dayHours>>, {
        message: `must be an object of weekdays (${WEEKDAYS.join(', ')})`,
      })
      .optional(),
    holidays: z
      .array(localDateString, { message: 'must be a list of dates YYYY-MM-DD' })
      .max(CALENDAR_LIMITS.holidays, { message: `must have at most ${CALENDAR_LIMITS.holidays} dates` })
      .optional(),
    /** How long an organization's preferred assistants hear of its new tasks before everyone else; 0 tells everyone at once. */
    preferredHeadStartSeconds: z
      .number({ message: 'must be a number' })
      .min(0, { message: 'must be at least 0' })
      .max(PREFERRED_HEAD_START_MAX_SECONDS, { message: `must be at most ${PREFERRED_HEAD_START_MAX_SECONDS}` })
      .int({ message: 'must be a whole number of seconds' })
      .optional(),
    /** The organization's monthly budget in cents, null for none; only an owner (or an admin) changes it. */
    monthlyBudgetCents: monthlyBudgetCents.optional(),
  })
  .refine(
    (b) => b.timeZone !== undefined || b.weeklyHours !== undefined || b.holidays !== undefined || b.preferredHeadStartSeconds !== undefined || b.monthlyBudgetCents !== undefined,
    { message: 'must change at least one of timeZone, weeklyHours, holidays, preferredHeadStartSeconds, monthlyBudgetCents' },
  );
export type UpdateOrganizationSettingsBody = z.infer<typeof updateOrganizationSettingsBody>;

export const organizationSettingsView = z.object({
  organizationId: z.string(),
  timeZone: z.string(),
  weeklyHours: z.object(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(openInterval)])) as Record<Weekday, z.ZodArray<typeof openInterval>>),
  holidays: z.array(z.string()),
  preferredHeadStartSeconds: z.number().int(),
  /** null: no budget. */
  monthlyBudgetCents: z.number().int().nullable(),
  updatedAt: z.string(),
});
export type OrganizationSettingsView = z.infer<typeof organizationSettingsView>;
