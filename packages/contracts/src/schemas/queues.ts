import { z } from 'zod';
import { QUEUES } from '../jobs.js';

export const queueParams = z.strictObject({
  queue: z.enum(QUEUES, { message: `must be one of ${QUEUES.join(', ')}` }),
});

/** The most failed jobs one listing or one retry names; a retry without ids takes up to this many. */
export const FAILED_JOBS_MAX = 500;

export const failedJobsQuery = z.strictObject({
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be an integer' })
    .min(1, { message: 'must be at least 1' })
    .max(FAILED_JOBS_MAX, { message: `must be at most ${FAILED_JOBS_MAX}` })
    .default(50),
});

export const failedJob = z.object({
  id: z.string(),
  name: z.string(),
  failedReason: z.string(),
  attemptsMade: z.number().int(),
  failedAt: z.string().nullable(),
  /** The tasks the job was about, so an admin can look at them before retrying. */
  taskIds: z.array(z.string()),
});
export type FailedJob = z.infer<typeof failedJob>;

/** Newest failure first; `total` counts every failed job in the queue, `items` the first `limit`. */
export const failedJobsPage = z.object({ items: z.array(failedJob), total: z.number().int() });
export type FailedJobsPage = z.infer<typeof failedJobsPage>;

export const retryJobsBody = z.strictObject({
  /** Without ids, every failed job (up to FAILED_JOBS_MAX, oldest failure first) is retried. */
  jobIds: z
    .array(z.string({ message: 'must be a list of job ids' }).min(1, { message: 'must not be empty' }).max(200, { message: 'is too long' }), {
      message: 'must be a list of job ids',
    })
    .min(1, { message: 'must name at least one job' })
    .max(FAILED_JOBS_MAX, { message: `must name at most ${FAILED_JOBS_MAX} jobs` })
    .optional(),
});
export type RetryJobsBody = z.infer<typeof retryJobsBody>;

/** `skipped`: ids that were not failed when asked (already retried, removed, or never there). */
export const retryJobsResult = z.object({ retried: z.number().int(), skipped: z.array(z.string()) });
export type RetryJobsResult = z.infer<typeof retryJobsResult>;
