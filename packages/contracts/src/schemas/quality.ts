import { z } from 'zod';
import { text, uuid } from './common.js';

/** A rating can be changed this long after the client accepted the work. */
export const RATING_EDIT_DAYS = 7;
export const RATING_COMMENT_MAX = 2_000;
/** The head start an organization's preferred assistants get over everyone else, unless it sets another. */
export const PREFERRED_HEAD_START_DEFAULT_SECONDS = 300;
export const PREFERRED_HEAD_START_MAX_SECONDS = 86_400;
/** The windows a scorecard is computed over, in days. */
export const SCORECARD_WINDOWS = [30, 90] as const;
export type ScorecardWindow = (typeof SCORECARD_WINDOWS)[number];

export const ratingBody = z.strictObject({
  stars: z
    .number({ message: 'must be a number' })
    .min(1, { message: 'must be at least 1' })
    .max(5, { message: 'must be at most 5' })
    .int({ message: 'must be a whole number of stars' }),
  // An empty comment clears it.
  comment: text(RATING_COMMENT_MAX, { min: 0 }).optional(),
});
export type RatingBody = z.infer<typeof ratingBody>;

export const ratingView = z.object({
  taskId: z.string(),
  organizationId: z.string(),
  assistantId: z.string(),
  stars: z.number().int(),
  comment: z.string().nullable(),
  ratedBy: z.string(),
  /** Bumped by each edit: live events name the revision they carry. */
  revision: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RatingView = z.infer<typeof ratingView>;

/** A task's rating, whether there is one, and until when the client may (still) give or change it. */
export const taskRatingView = z.object({
  taskId: z.string(),
  rating: ratingView.nullable(),
  /** Null when the task cannot be rated: not accepted, or accepted by the review timer. */
  editableUntil: z.string().nullable(),
});
export type TaskRatingView = z.infer<typeof taskRatingView>;

export const scorecardQuery = z.strictObject({
  window: z
    .enum(['30', '90'], { message: 'must be 30 or 90' })
    .default('30')
    .transform((w) => Number(w) as ScorecardWindow),
});
export type ScorecardQuery = z.infer<typeof scorecardQuery>;

/**
 * An assistant's record over the window: tasks accepted in it, and of those the
 * share returned on time, the share accepted without a revision, revisions per
 * task and their ratings. Rates are 0..1, null with nothing to divide.
 * Clients see only `averageRating`, `ratingCount` and `onTimeRate`.
 */
export const scorecardView = z.object({
  assistantId: z.string(),
  windowDays: z.number().int(),
  from: z.string(),
  to: z.string(),
  tasksDone: z.number().int().optional(),
  onTimeRate: z.number().nullable(),
  firstPassRate: z.number().nullable().optional(),
  revisionsPerTask: z.number().nullable().optional(),
  averageRating: z.number().nullable(),
  ratingCount: z.number().int(),
});
export type ScorecardView = z.infer<typeof scorecardView>;

export const preferredAssistantParams = z.strictObject({ id: uuid, assistantId: uuid });

/** An assistant a client organization may mark: one who worked for it, or one it already prefers. */
export const preferredAssistantView = z.object({
  assistantId: z.string(),
  name: z.string(),
  preferred: z.boolean(),
  /** When the organization marked the assistant; null when it does not prefer them. */
  preferredAt: z.string().nullable(),
  /** Tasks of the organization the assistant returned. */
  tasksReturned: z.number().int(),
});
export type PreferredAssistantView = z.infer<typeof preferredAssistantView>;

export const preferredAssistantsView = z.object({
  organizationId: z.string(),
  headStartSeconds: z.number().int(),
  items: z.array(preferredAssistantView),
});
export type PreferredAssistantsView = z.infer<typeof preferredAssistantsView>;
