import { z } from 'zod';
import { LIMITS } from '../domain.js';
import { listQuery, text, uuid } from './common.js';

export const DISPUTE_OUTCOMES = ['rework', 'refund', 'reassign'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];
export const DISPUTE_STATUSES = ['open', 'resolved'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** The client's side, instead of accepting or revising returned work. */
export const openDisputeBody = z.strictObject({ reason: text(LIMITS.reasonMax) });
export type OpenDisputeBody = z.infer<typeof openDisputeBody>;

/** The assignee's side, once, while the dispute is open. */
export const answerDisputeBody = z.strictObject({ answer: text(LIMITS.feedbackMax) });
export type AnswerDisputeBody = z.infer<typeof answerDisputeBody>;

/**
 * An admin's decision. A refund names its amount (partial, or all that is left
 * of the task's bill); the other outcomes move no money, so they take none.
 */
export const resolveDisputeBody = z
  .strictObject({
    outcome: z.enum(DISPUTE_OUTCOMES, { message: `must be one of ${DISPUTE_OUTCOMES.join(', ')}` }),
    amountCents: z
      .number({ message: 'must be a number' })
      .refine((v) => Math.abs(v) <= 100_000_000, { message: 'is too large' })
      .int({ message: 'must be an integer number of cents' })
      .refine((v) => v > 0, { message: 'must be positive' })
      .optional(),
    note: text(LIMITS.reasonMax),
  })
  .superRefine((b, ctx) => {
    if (b.outcome === 'refund' && b.amountCents === undefined) ctx.addIssue({ code: 'custom', path: ['amountCents'], message: 'is required for a refund' });
    if (b.outcome !== 'refund' && b.amountCents !== undefined) ctx.addIssue({ code: 'custom', path: ['amountCents'], message: 'is only for a refund' });
  });
export type ResolveDisputeBody = z.infer<typeof resolveDisputeBody>;

export const listDisputesQuery = listQuery.extend({
  status: z.enum(DISPUTE_STATUSES, { message: `must be one of ${DISPUTE_STATUSES.join(', ')}` }).default('open'),
});
export type ListDisputesQuery = z.infer<typeof listDisputesQuery>;

export const disputeParams = z.strictObject({ id: uuid });

export const disputeView = z.object({
  id: z.string(),
  taskId: z.string(),
  taskTitle: z.string(),
  organizationId: z.string(),
  /** Whoever returned the disputed work. */
  assigneeId: z.string(),
  openedBy: z.string(),
  reason: z.string(),
  answer: z.string().nullable(),
  answeredAt: z.string().nullable(),
  status: z.enum(DISPUTE_STATUSES),
  outcome: z.enum(DISPUTE_OUTCOMES).nullable(),
  /** A refund's amount. */
  amountCents: z.number().int().nullable(),
  note: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** The refund's ledger entry (its reason names this dispute). */
  ledgerEntryId: z.string().nullable(),
  createdAt: z.string(),
});
export type DisputeView = z.infer<typeof disputeView>;

export const disputePage = z.object({ items: z.array(disputeView), nextCursor: z.string().nullable() });
