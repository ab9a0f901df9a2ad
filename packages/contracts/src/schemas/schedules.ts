import { z } from 'zod';
import { LIMITS, TASK_STATUSES } from '../domain.js';
import { recurrenceRule } from '../calendar/recurrence.js';
import { isoDate, listQuery, text, uuid } from './common.js';
import { priority } from './tasks.js';

export const SCHEDULE_LIMITS = { nameMax: LIMITS.titleMax, upcoming: 5 } as const;

const inputs = z.record(z.string(), z.unknown(), { message: 'must be an object of values by field key' });

/**
 * A template run on a calendar rule in the organization's time zone. Without
 * `versionId` each run takes the template's current version. `inputs` are
 * fixed for every run, except that a date input left out takes each run's date
 * (in the organization's zone); a template's other required inputs are needed here.
 */
export const createScheduleBody = z.strictObject({
  templateId: uuid,
  versionId: uuid.nullable().optional(),
  /** The template's name unless given; also the title of each run's task. */
  name: text(SCHEDULE_LIMITS.nameMax).optional(),
  rule: recurrenceRule,
  inputs: inputs.nullable().optional(),
  /** The template's default priority unless given. */
  priority: priority.nullable().optional(),
});
export type CreateScheduleBody = z.infer<typeof createScheduleBody>;

/** The fields given; a new rule counts its runs from now. */
export const updateScheduleBody = z
  .strictObject({
    versionId: uuid.nullable().optional(),
    name: text(SCHEDULE_LIMITS.nameMax).optional(),
    rule: recurrenceRule.optional(),
    inputs: inputs.nullable().optional(),
    priority: priority.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'must change at least one of versionId, name, rule, inputs, priority' });
export type UpdateScheduleBody = z.infer<typeof updateScheduleBody>;

export const pauseScheduleBody = z.strictObject({ reason: text(500).optional() });
export type PauseScheduleBody = z.infer<typeof pauseScheduleBody>;

export const SCHEDULE_STATES = ['active', 'paused', 'ended'] as const;
export const listSchedulesQuery = listQuery.extend({
  state: z.enum(SCHEDULE_STATES, { message: `must be one of ${SCHEDULE_STATES.join(', ')}` }).optional(),
});
export type ListSchedulesQuery = z.infer<typeof listSchedulesQuery>;

/** An upcoming run: the instant, and the wall-clock time in the organization's zone (`2026-03-29T03:00`). */
export const scheduleOccurrence = z.object({ at: isoDate, local: z.string(), skipped: z.boolean() });
export type ScheduleOccurrence = z.infer<typeof scheduleOccurrence>;

export const scheduleView = z.object({
  id: uuid,
  organizationId: uuid,
  templateId: uuid,
  /** null: the template's current version at each run. */
  versionId: uuid.nullable(),
  name: z.string(),
  rule: recurrenceRule,
  inputs: z.record(z.string(), z.unknown()).nullable(),
  priority: priority.nullable(),
  state: z.enum(SCHEDULE_STATES),
  /** Why it is paused: its owner's words, or the refusal of a run's submission. */
  paused: z.object({ at: isoDate, reason: z.string() }).nullable(),
  /** The upcoming run that will be skipped, if one was asked to be. */
  skipAt: isoDate.nullable(),
  nextRunAt: isoDate.nullable(),
  lastRunAt: isoDate.nullable(),
  timeZone: z.string(),
  /** The next five runs (shown while paused too: what resuming now would run). */
  nextRuns: z.array(scheduleOccurrence),
  createdBy: uuid,
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type ScheduleView = z.infer<typeof scheduleView>;
export const schedulePage = z.object({ items: z.array(scheduleView), nextCursor: z.string().nullable() });

export const SCHEDULE_RUN_OUTCOMES = ['created', 'skipped', 'refused'] as const;
export const scheduleRunView = z.object({
  id: uuid,
  scheduleId: uuid,
  scheduledAt: isoDate,
  outcome: z.enum(SCHEDULE_RUN_OUTCOMES),
  taskId: uuid.nullable(),
  /** The task's status now (null when it created none, or the task is gone). */
  taskStatus: z.enum(TASK_STATUSES).nullable(),
  reason: z.string().nullable(),
  /** Earlier runs that fell due while nothing ran, folded into this one. */
  missed: z.number().int(),
  createdAt: isoDate,
});
export type ScheduleRunView = z.infer<typeof scheduleRunView>;
export const scheduleRunPage = z.object({ items: z.array(scheduleRunView), nextCursor: z.string().nullable() });
