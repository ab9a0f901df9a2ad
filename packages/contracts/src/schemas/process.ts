import { z } from 'zod';
import { listQuery } from './common.js';
import { monthKeyPattern } from './billing.js';
import { taskStatus } from './tasks.js';

const cents = z.number().int();
const count = z.number().int().nonnegative();
/** A share from 0 to 1; null while there is nothing to divide by. */
const rate = z.number().min(0).max(1).nullable();
/** Seconds; null while no task has got that far. */
const seconds = z.number().nonnegative().nullable();

export const templateRunsQuery = z.strictObject({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor });
export type TemplateRunsQuery = z.infer<typeof templateRunsQuery>;

/** One task made from a template (any of its versions): a past or current run of the process. */
export const templateRun = z.object({
  id: z.string(),
  title: z.string(),
  status: taskStatus,
  templateVersion: z.number().int(),
  submittedAt: z.string(),
  deadline: z.string(),
  returnedAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  /** Fixed at the first return: came back by the deadline. Null until then. */
  onTime: z.boolean().nullable(),
  priceCents: cents,
  currency: z.string(),
});
export type TemplateRun = z.infer<typeof templateRun>;
export const templateRunPage = z.object({ items: z.array(templateRun), nextCursor: z.string().nullable() });

/** How the process has gone over a window, counted over the tasks submitted in it. */
export const processStats = z.object({
  tasks: count,
  returned: count,
  returnedOnTime: count,
  /** returned by the deadline ÷ returned */
  onTimeRate: rate,
  /** Mean time from submission to the first return, and to acceptance. */
  avgSecondsToReturn: seconds,
  avgSecondsToAccept: seconds,
  accepted: count,
  /** Accepted without a revision asked for. */
  acceptedFirstPass: count,
  /** accepted first pass ÷ accepted */
  firstPassRate: rate,
});
export type ProcessStats = z.infer<typeof processStats>;

/** Money for the template's tasks in a period, per currency: charges − refunds + adjustments. */
export const processSpend = z.object({
  currency: z.string(),
  chargedCents: cents,
  refundedCents: cents,
  adjustedCents: cents,
  netCents: cents,
});
export type ProcessSpend = z.infer<typeof processSpend>;

/** One ISO week (Monday first) in the organization's time zone. */
export const processWeek = z.object({
  /** The week's Monday, YYYY-MM-DD */
  week: z.string(),
  submitted: count,
  returnedOnTime: count,
  returnedLate: count,
  spend: z.array(z.object({ currency: z.string(), netCents: cents })),
});
export type ProcessWeek = z.infer<typeof processWeek>;

export const PROCESS_WEEKS = 12;

/** A template's process view: how its tasks went and what they cost. Other figures join this object as they come. */
export const templateProcess = z.object({
  templateId: z.string(),
  /** The zone months and weeks are cut in: the organization's. */
  timeZone: z.string(),
  asOf: z.string(),
  stats: z.object({ last30Days: processStats, allTime: processStats }),
  /** This calendar month, in `timeZone`. */
  month: z.string().regex(monthKeyPattern),
  spendThisMonth: z.array(processSpend),
  /** The last 12 ISO weeks, oldest first, this week last; quiet weeks are zeros. */
  weeks: z.array(processWeek),
});
export type TemplateProcess = z.infer<typeof templateProcess>;
