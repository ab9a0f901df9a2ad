import { z } from 'zod';
import { text, uuid } from './common.js';
import { category } from './users.js';

export const QUALIFICATION_INSTRUCTIONS_MAX = 20_000;
export const QUALIFICATION_ANSWER_MAX = 20_000;
export const QUALIFICATION_NOTES_MAX = 2_000;
export const ATTEMPT_STATUSES = ['submitted', 'passed', 'failed'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

export const qualificationParams = z.strictObject({ category });

/** Whether a category requires its qualification before anyone claims its work. */
export const qualificationRequirementBody = z.strictObject({
  required: z.boolean({ message: 'must be true or false' }),
});
export type QualificationRequirementBody = z.infer<typeof qualificationRequirementBody>;

/**
 * A category's qualification as the caller sees it: required or not, how many
 * tasks it has, and for an assistant whether they hold it and have an attempt
 * waiting for review.
 */
export const qualificationView = z.object({
  category: z.string(),
  required: z.boolean(),
  tasks: z.number().int(),
  held: z.boolean().nullable(),
  grantedAt: z.string().nullable(),
  openAttemptId: z.string().nullable(),
});
export type QualificationView = z.infer<typeof qualificationView>;
export const qualificationsView = z.object({ items: z.array(qualificationView) });
export type QualificationsView = z.infer<typeof qualificationsView>;

/** A qualification task: instructions and a reference answer, a rubric, or both. */
export const qualificationTaskBody = z
  .strictObject({
    category,
    instructions: text(QUALIFICATION_INSTRUCTIONS_MAX),
    referenceAnswer: text(QUALIFICATION_ANSWER_MAX).optional(),
    rubric: text(QUALIFICATION_ANSWER_MAX).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.referenceAnswer === undefined && v.rubric === undefined) {
      ctx.addIssue({ code: 'custom', path: ['referenceAnswer'], message: 'or rubric is required' });
    }
  });
export type QualificationTaskBody = z.infer<typeof qualificationTaskBody>;

export const qualificationTasksQuery = z.strictObject({ category: category.optional() });
export type QualificationTasksQuery = z.infer<typeof qualificationTasksQuery>;

/** Assistants see the instructions and the rubric; the reference answer only admins. */
export const qualificationTaskView = z.object({
  id: z.string(),
  category: z.string(),
  instructions: z.string(),
  rubric: z.string().nullable(),
  referenceAnswer: z.string().nullable().optional(),
  createdAt: z.string(),
});
export type QualificationTaskView = z.infer<typeof qualificationTaskView>;
export const qualificationTasksView = z.object({ items: z.array(qualificationTaskView) });
export type QualificationTasksView = z.infer<typeof qualificationTasksView>;

export const qualificationAttemptBody = z.strictObject({
  qualificationTaskId: uuid,
  answer: text(QUALIFICATION_ANSWER_MAX),
});
export type QualificationAttemptBody = z.infer<typeof qualificationAttemptBody>;

export const qualificationAttemptsQuery = z.strictObject({
  status: z.enum(ATTEMPT_STATUSES, { message: `must be one of ${ATTEMPT_STATUSES.join(', ')}` }).optional(),
  category: category.optional(),
});
export type QualificationAttemptsQuery = z.infer<typeof qualificationAttemptsQuery>;

export const qualificationReviewBody = z.strictObject({
  outcome: z.enum(['passed', 'failed'], { message: 'must be passed or failed' }),
  notes: text(QUALIFICATION_NOTES_MAX, { min: 0 }).optional(),
});
export type QualificationReviewBody = z.infer<typeof qualificationReviewBody>;

export const qualificationAttemptView = z.object({
  id: z.string(),
  qualificationTaskId: z.string(),
  category: z.string(),
  assistantId: z.string(),
  answer: z.string(),
  status: z.enum(ATTEMPT_STATUSES),
  reviewerId: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: z.string(),
  reviewedAt: z.string().nullable(),
});
export type QualificationAttemptView = z.infer<typeof qualificationAttemptView>;
export const qualificationAttemptsView = z.object({ items: z.array(qualificationAttemptView) });
export type QualificationAttemptsView = z.infer<typeof qualificationAttemptsView>;

/** The 422 a claim gets where the category requires a qualification the assistant does not hold. */
export const QUALIFICATION_REQUIRED_CODE = 'qualification_required';
