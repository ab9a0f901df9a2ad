import { z } from 'zod';

/** The largest monthly budget, in cents (20 million in the organization's currency). */
export const BUDGET_MAX_CENTS = 2_000_000_000;

/** The shares of a budget at which its owners hear that committed spend crossed them, once each per month. */
export const BUDGET_THRESHOLDS_PCT = [80, 100] as const;
export type BudgetThresholdPct = (typeof BUDGET_THRESHOLDS_PCT)[number];

/** The `code` of a submission refused for its budget (422); a schedule pauses on it. */
export const BUDGET_EXCEEDED = 'budget_exceeded';

/** A monthly budget in cents; null removes it. */
export const monthlyBudgetCents = z
  .number({ message: 'must be a number of cents or null' })
  .int({ message: 'must be a whole number of cents' })
  .min(0, { message: 'must be at least 0' })
  .max(BUDGET_MAX_CENTS, { message: `must be at most ${BUDGET_MAX_CENTS}` })
  .nullable();

/**
 * A budget as it stands this calendar month (in the organization's time zone):
 * committed is the price of its tasks not yet billed (queued, claimed, in
 * progress, never returned) plus what was billed this month (charges less
 * refunds, with adjustments); remaining goes negative past an approved overage.
 */
export const budgetStanding = z.object({
  monthlyCents: z.number().int(),
  committedCents: z.number().int(),
  remainingCents: z.number().int(),
});
export type BudgetStanding = z.infer<typeof budgetStanding>;

/** PUT /api/templates/:id/budget: the template's own monthly budget, within the organization's; null removes it. */
export const templateBudgetBody = z.strictObject({ monthlyBudgetCents });
export type TemplateBudgetBody = z.infer<typeof templateBudgetBody>;

/** What a 422 `budget_exceeded` carries beside its message. */
export const budgetRefusal = z.object({
  statusCode: z.literal(422),
  code: z.literal(BUDGET_EXCEEDED),
  message: z.string(),
  /** Which budget: the organization's, or the template's. */
  scope: z.enum(['organization', 'template']),
  templateId: z.string().nullable(),
  monthlyCents: z.number().int(),
  committedCents: z.number().int(),
  priceCents: z.number().int(),
  /** How far past the budget the submission would take committed spend. */
  overByCents: z.number().int(),
  currency: z.string(),
});
export type BudgetRefusal = z.infer<typeof budgetRefusal>;

/** The live `budget.threshold` event, to the organization's owners. */
export interface BudgetNoticeLive {
  organizationId: string;
  /** null: the organization's budget; otherwise the template's. */
  templateId: string | null;
  /** YYYY-MM in the organization's time zone. */
  month: string;
  thresholdPct: BudgetThresholdPct;
  monthlyCents: number;
  committedCents: number;
}
