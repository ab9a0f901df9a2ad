import { z } from 'zod';
import { CATEGORIES, LEDGER_KINDS, LIMITS, PRIORITIES, TASK_STATUSES } from '../domain.js';
import { isoDate, listQuery, text, uuid } from './common.js';
import { budgetStanding } from './budgets.js';
import { ratingView } from './quality.js';
import { category } from './users.js';

export const priority = z.enum(PRIORITIES, { message: `must be one of ${PRIORITIES.join(', ')}` });
export const taskStatus = z.enum(TASK_STATUSES, { message: `must be one of ${TASK_STATUSES.join(', ')}` });

const DAY_MS = 86_400_000;

export const deadline = isoDate.superRefine((value, ctx) => {
  const at = Date.parse(value);
  const now = Date.now();
  if (at <= now) ctx.addIssue({ code: 'custom', message: 'must be in the future' });
  else if (at > now + LIMITS.deadlineMaxDays * DAY_MS) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${LIMITS.deadlineMaxDays} days ahead` });
  }
});

export const quoteBody = z.strictObject({ category, priority: priority.default('normal') });
export type QuoteBody = z.infer<typeof quoteBody>;

export const quoteResponse = z.object({
  priceCents: z.number().int(),
  currency: z.string(),
  /** The organization's monthly budget as it stands now; null without one. */
  budget: budgetStanding.nullable(),
});
export type QuoteResponse = z.infer<typeof quoteResponse>;

const TASK_CONTENT = ['title', 'instructions', 'category', 'deadline'] as const;

/**
 * A task as written out (title, instructions, category, deadline), or made from
 * a template: `templateId` (its current version unless `versionId` names
 * another) and the submitter's `inputs`; the title, priority and deadline may
 * then be given to override the template's, the instructions and the category
 * come from it.
 */
export const createTaskFields = z.strictObject({
  title: text(LIMITS.titleMax).optional(),
  instructions: text(LIMITS.instructionsMax).optional(),
  category: category.optional(),
  /** normal unless given, or the template's default priority. */
  priority: priority.optional(),
  deadline: deadline.optional(),
  templateId: uuid.optional(),
  versionId: uuid.optional(),
  /** The values of the template's input fields, by key; checked against the version's fields. */
  inputs: z.record(z.string(), z.unknown(), { message: 'must be an object of values by field key' }).optional(),
  /** An owner lets this one task past a budget it would exceed (403 for anyone else). */
  approveOverage: z.boolean({ message: 'must be true or false' }).optional(),
});

/** The fields, and which go together (a refined schema cannot be picked from: `createTaskFields` can). */
export const createTaskBody = createTaskFields.superRefine((b, ctx) => {
  if (b.templateId === undefined) {
    for (const key of TASK_CONTENT) if (b[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is required' });
    if (b.versionId !== undefined) ctx.addIssue({ code: 'custom', path: ['versionId'], message: 'needs a templateId' });
    if (b.inputs !== undefined) ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'needs a templateId' });
    return;
  }
  for (const key of ['instructions', 'category'] as const) {
    if (b[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'comes from the template; leave it out' });
  }
});
export type CreateTaskBody = z.infer<typeof createTaskBody>;

export const TASK_CHECKLIST_LIMITS = { noteMax: 2_000 } as const;

export const checklistStepParams = z.strictObject({ id: uuid, stepId: uuid });

/** Tick (`done: true`) or untick a step of the task's checklist, with an optional note. */
export const checklistTickBody = z.strictObject({
  done: z.boolean({ message: 'must be true or false' }),
  note: text(TASK_CHECKLIST_LIMITS.noteMax).nullable().optional(),
});
export type ChecklistTickBody = z.infer<typeof checklistTickBody>;

/** A step of a task's checklist: the pinned version's step, and whether (and by whom) it was ticked. */
export const taskChecklistStepView = z.object({
  stepId: z.string(),
  position: z.number().int(),
  title: z.string(),
  detail: z.string().nullable(),
  required: z.boolean(),
  done: z.boolean(),
  doneAt: z.string().nullable(),
  doneBy: z.string().nullable(),
  note: z.string().nullable(),
});
export type TaskChecklistStepView = z.infer<typeof taskChecklistStepView>;

/** How far a task's checklist is: steps ticked of all. */
export const checklistProgress = z.object({ done: z.number().int(), total: z.number().int() });
export type ChecklistProgress = z.infer<typeof checklistProgress>;

export const taskChecklistView = z.object({
  taskId: z.string(),
  done: z.number().int(),
  total: z.number().int(),
  steps: z.array(taskChecklistStepView),
});
export type TaskChecklistView = z.infer<typeof taskChecklistView>;

export const returnTaskBody = z.strictObject({ result: text(LIMITS.resultMax) });
export type ReturnTaskBody = z.infer<typeof returnTaskBody>;

export const reviseTaskBody = z.strictObject({ feedback: text(LIMITS.feedbackMax) });
export type ReviseTaskBody = z.infer<typeof reviseTaskBody>;

export const listTasksQuery = listQuery.extend({
  status: taskStatus.optional(),
  category: category.optional(),
});
export type ListTasksQuery = z.infer<typeof listTasksQuery>;

export const rateCardBody = z.strictObject({
  basePriceCents: z
    .number({ message: 'must be a number' })
    .min(1, { message: 'must be at least 1' })
    .max(10_000_000, { message: 'must be at most 10000000' })
    .int({ message: 'must be an integer number of cents' }),
});
export const rateCardParams = z.strictObject({ category });

export const rateCardEntry = z.object({
  category,
  basePriceCents: z.number().int(),
  currency: z.string(),
  updatedAt: z.string().optional(),
});
export type RateCardEntry = z.infer<typeof rateCardEntry>;

export const taskEventView = z.object({
  id: z.string(),
  action: z.string(),
  fromStatus: taskStatus.nullable(),
  toStatus: taskStatus,
  actorId: z.string().nullable(),
  actorRole: z.string(),
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type TaskEventView = z.infer<typeof taskEventView>;

export const taskView = z.object({
  id: z.string(),
  organizationId: z.string(),
  organizationName: z.string().optional(),
  createdBy: z.string(),
  title: z.string(),
  instructions: z.string(),
  category,
  priority,
  deadline: z.string(),
  priceCents: z.number().int(),
  currency: z.string(),
  status: taskStatus,
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable().optional(),
  result: z.string().nullable(),
  feedback: z.string().nullable().optional(),
  onTime: z.boolean().nullable(),
  overdue: z.boolean(),
  escalated: z.boolean().optional(),
  version: z.number().int(),
  createdAt: z.string(),
  claimedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  returnedAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  /** The template the task was made from and the version it pinned; null for a task written out. */
  templateId: z.string().nullable(),
  templateVersionId: z.string().nullable(),
  templateVersion: z.number().int().nullable(),
  /** The submitter's values of the template's input fields. */
  inputs: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
  /** Steps ticked of all ({ done: 0, total: 0 } without a checklist). */
  checklist: checklistProgress,
  /** The checklist's steps, on a task read by itself. */
  checklistSteps: z.array(taskChecklistStepView).optional(),
  events: z.array(taskEventView).optional(),
  /** The organization's time zone, on a single task's read: its deadline rule was worked out there. */
  organizationTimeZone: z.string().optional(),
  /** The client's rating, on a single task's read (lists leave it out). */
  rating: ratingView.nullable().optional(),
});
export type TaskView = z.infer<typeof taskView>;

export const ledgerKind = z.enum(LEDGER_KINDS, { message: `must be one of ${LEDGER_KINDS.join(', ')}` });

export const ledgerEntryView = z.object({
  id: z.string(),
  taskId: z.string(),
  /** The task's title, so a screen or a file can name the task without its id. */
  taskTitle: z.string(),
  organizationId: z.string(),
  assistantId: z.string().nullable(),
  kind: ledgerKind,
  amountCents: z.number().int(),
  currency: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable().optional(),
  reason: z.string().nullable().optional(),
});
export type LedgerEntryView = z.infer<typeof ledgerEntryView>;

export const billingEntriesQuery = listQuery
  .extend({
    organizationId: uuid.optional(),
    assistantId: uuid.optional(),
    kind: ledgerKind.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    path: ['from'],
    message: 'must not be after to',
  });
export type BillingEntriesQuery = z.infer<typeof billingEntriesQuery>;

export const adjustmentBody = z.strictObject({
  taskId: uuid,
  kind: z.enum(['refund', 'adjustment'], { message: 'must be refund or adjustment' }),
  amountCents: z
    .number({ message: 'must be a number' })
    .refine((v) => Math.abs(v) <= 100_000_000, { message: 'is too large' })
    .int({ message: 'must be an integer number of cents' })
    .refine((v) => v !== 0, { message: 'must not be zero' }),
  reason: text(LIMITS.reasonMax),
});
export type AdjustmentBody = z.infer<typeof adjustmentBody>;

export const CATEGORY_LIST = CATEGORIES;
