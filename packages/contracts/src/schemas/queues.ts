import { z } from 'zod';
import { QUEUES } from '../jobs.js';
import { listQuery, plainString } from './common.js';

export const queueParams = z.strictObject({
  queue: z.enum(QUEUES, { message: `must be one of ${QUEUES.join(', ')}` }),
});

/** The most jobs one retry moves; a retry without ids takes the most recent failures up to this many. */
export const RETRY_JOBS_MAX = 500;

/** The same `limit` as every list (1–200, default 50). */
export const failedJobsQuery = z.strictObject({ limit: listQuery.shape.limit });

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
  /** Without ids, the most recent failures, up to RETRY_JOBS_MAX, are retried; ask again for more. */
  jobIds: z
    .array(plainString('must be a list of job ids').min(1, { message: 'must not be empty' }).max(200, { message: 'is too long' }), {
      message: 'must be a list of job ids',
    })
    .min(1, { message: 'must name at least one job' })
    .max(RETRY_JOBS_MAX, { message: `must name at most ${RETRY_JOBS_MAX} jobs` })
    .optional(),
});
export type RetryJobsBody = z.infer<typeof retryJobsBody>;

/** `skipped`: ids that were not failed when asked (already retried, removed, or never there). */
export const retryJobsResult = z.object({ retried: z.number().int(), skipped: z.array(z.string()) });
export type RetryJobsResult = z.infer<typeof retryJobsResult>;
