import { z } from 'zod';
import { isoDate, listQuery, uuid } from './common.js';
import { adjustmentBody, ledgerEntryView, ledgerKind } from './tasks.js';

// Periods are half-open, [from, to): a month's summary ends where the next one starts,
// so an entry at midnight on the 1st is counted exactly once.
const fromNotAfterTo = (q: { from?: string; to?: string }) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to);
const FROM_AFTER_TO = { path: ['from'], message: 'must not be after to' };

const filterShape = {
  organizationId: uuid.optional(),
  assistantId: uuid.optional(),
  kind: ledgerKind.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
};

/** The filters of the CSV export: the entry list's, without paging. */
export const billingExportQuery = z.object(filterShape).refine(fromNotAfterTo, FROM_AFTER_TO);
export type BillingExportQuery = z.infer<typeof billingExportQuery>;

export const billingPeriodQuery = z.strictObject({ from: isoDate.optional(), to: isoDate.optional() }).refine(fromNotAfterTo, FROM_AFTER_TO);
export type BillingPeriodQuery = z.infer<typeof billingPeriodQuery>;

export const billingEntryPage = z.object({ items: z.array(ledgerEntryView), nextCursor: z.string().nullable() });

const cents = z.number().int();

export const billingSummaryRow = z.object({
  organizationId: z.string(),
  organizationName: z.string(),
  currency: z.string(),
  tasksBilled: z.number().int(),
  chargedCents: cents,
  paidOutCents: cents,
  /** charged − paid out */
  feeCents: cents,
  refundedCents: cents,
  adjustedCents: cents,
  /** Returned after the deadline within the period: never billed. */
  lateTasks: z.number().int(),
});
export type BillingSummaryRow = z.infer<typeof billingSummaryRow>;

export const billingSummaryTotals = billingSummaryRow.omit({ organizationId: true, organizationName: true });
export type BillingSummaryTotals = z.infer<typeof billingSummaryTotals>;

export const billingSummaryDay = z.object({
  /** YYYY-MM-DD, UTC */
  day: z.string(),
  currency: z.string(),
  chargedCents: cents,
  paidOutCents: cents,
});
export type BillingSummaryDay = z.infer<typeof billingSummaryDay>;

export const billingSummary = z.object({
  from: z.string(),
  to: z.string(),
  organizations: z.array(billingSummaryRow),
  /** One row per currency (a single row while every price is in one currency). */
  totals: z.array(billingSummaryTotals),
  days: z.array(billingSummaryDay),
});
export type BillingSummary = z.infer<typeof billingSummary>;

export const monthKeyPattern = /^\d{4}-(0[1-9]|1[0-2])$/;

export const statementQuery = z.strictObject({
  month: z.string({ message: 'must be a string' }).regex(monthKeyPattern, { message: 'must be a month as YYYY-MM' }).optional(),
  organizationId: uuid.optional(),
  /** Lines per page, oldest first; the totals always cover the whole month. */
  limit: listQuery.shape.limit,
  cursor: listQuery.shape.cursor,
});
export type StatementQuery = z.infer<typeof statementQuery>;

/** A whole month's statement as a file (CSV or PDF): every line, no paging. */
export const statementDownloadQuery = z.strictObject({ month: statementQuery.shape.month, organizationId: statementQuery.shape.organizationId });
export type StatementDownloadQuery = z.infer<typeof statementDownloadQuery>;

export const statementTotals = z.object({
  currency: z.string(),
  chargedCents: cents,
  refundedCents: cents,
  adjustedCents: cents,
  /** What the organization owes for the month: charged − refunded + adjusted. */
  totalCents: cents,
  tasksBilled: z.number().int(),
});
export type StatementTotals = z.infer<typeof statementTotals>;

export const statement = z.object({
  organizationId: z.string(),
  organizationName: z.string(),
  month: z.string(),
  from: z.string(),
  to: z.string(),
  /** One page of the month's lines, oldest first; `nextCursor` asks for the next. */
  lines: z.array(ledgerEntryView),
  nextCursor: z.string().nullable(),
  totals: z.array(statementTotals),
});
export type Statement = z.infer<typeof statement>;

export const earningsQuery = z
  .strictObject({
    from: isoDate.optional(),
    to: isoDate.optional(),
    groupBy: z.enum(['month', 'day'], { message: 'must be month or day' }).default('month'),
    assistantId: uuid.optional(),
  })
  .refine(fromNotAfterTo, FROM_AFTER_TO);
export type EarningsQuery = z.infer<typeof earningsQuery>;

export const earningsPeriod = z.object({
  /** YYYY-MM or YYYY-MM-DD, UTC */
  period: z.string(),
  currency: z.string(),
  totalCents: cents,
  payouts: z.number().int(),
});
export type EarningsPeriod = z.infer<typeof earningsPeriod>;

export const earnings = z.object({
  assistantId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  groupBy: z.enum(['month', 'day']),
  periods: z.array(earningsPeriod),
  totals: z.array(z.object({ currency: z.string(), totalCents: cents, payouts: z.number().int() })),
});
export type Earnings = z.infer<typeof earnings>;

/** The adjustment body with the rule the form can check before sending: a refund gives money back, so it is positive. */
export const adjustmentRequest = adjustmentBody.refine((b) => b.kind !== 'refund' || b.amountCents > 0, {
  path: ['amountCents'],
  message: 'must be positive for a refund',
});
