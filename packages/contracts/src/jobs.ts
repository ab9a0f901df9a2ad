import { z } from 'zod';
import { MAIL_TEMPLATES } from './schemas/account-email.js';

// One job name, one payload schema, one queue. Producers and workers both
// parse payloads with these schemas, and the API refuses to start a worker
// while any job here lacks exactly one handler.
export const QUEUES = ['dispatch', 'timers', 'mail', 'webhooks', 'imports'] as const;
export type QueueName = (typeof QUEUES)[number];

const taskVersion = z.object({ taskId: z.uuid(), version: z.number().int().positive() });

/** The most task versions one announce job carries: a relay batch's worth. */
export const ANNOUNCE_BATCH = 200;
/** The most preferred assistants an open announce names as already told. */
export const ANNOUNCE_TOLD_MAX = 1_000;

/**
 * A webhook delivery retries on the webhooks worker's own backoff strategy (doubling,
 * capped, until the retry window ends); its attempts are set past what any window allows.
 */
export const WEBHOOK_BACKOFF = 'webhook';
export const WEBHOOK_MAX_ATTEMPTS = 1_000;

export const JOB_SCHEMAS = {
  // One job per relay batch, not per task: one query reads every task and its audience.
  'dispatch.announce': z.object({ tasks: z.array(taskVersion).min(1).max(ANNOUNCE_BATCH) }),
  // After a preferred head start: the task, if still queued at this version, to everyone who can take it.
  // `told`: the preferred assistants who heard at once, left out now.
  'dispatch.announce-open': taskVersion.extend({ told: z.array(z.uuid()).max(ANNOUNCE_TOLD_MAX) }),
  'timers.claim-expiry': taskVersion,
  'timers.deadline': z.object({ taskId: z.uuid() }),
  'timers.escalation': taskVersion,
  'timers.auto-accept': taskVersion,
  'timers.review-reminder': taskVersion,
  // Values are the template's, as JSON (times as ISO strings); the worker renders the mail.
  'mail.send': z.object({ template: z.enum(MAIL_TEMPLATES), to: z.email(), values: z.record(z.string(), z.unknown()) }),
  // One job per (endpoint, event); `since` starts the retry window (the event, or a manual redelivery).
  'webhooks.deliver': z.object({ deliveryId: z.uuid(), since: z.number().int().nonnegative(), redelivery: z.boolean() }),
  // A confirmed bulk import: its valid rows become tasks, chunk by chunk.
  'imports.run': z.object({ importId: z.uuid() }),
} as const;

export type JobName = keyof typeof JOB_SCHEMAS;
export type JobPayloads = { [K in JobName]: z.infer<(typeof JOB_SCHEMAS)[K]> };

export const JOB_QUEUE = {
  'dispatch.announce': 'dispatch',
  'dispatch.announce-open': 'dispatch',
  'timers.claim-expiry': 'timers',
  'timers.deadline': 'timers',
  'timers.escalation': 'timers',
  'timers.auto-accept': 'timers',
  'timers.review-reminder': 'timers',
  'mail.send': 'mail',
  'webhooks.deliver': 'webhooks',
  'imports.run': 'imports',
} as const satisfies { [K in JobName]: QueueName };

/**
 * Deterministic ids: the same timer for the same task version collapses into
 * one job. `/` separates the parts because BullMQ reserves `:` in custom ids.
 * An announce job's id is a digest of the versions it carries (the API makes
 * it), so the same batch relayed twice is one job.
 */
export const jobId = {
  announceOpen: (taskId: string, version: number) => `announce-open/${taskId}/${version}`,
  claimExpiry: (taskId: string, version: number) => `claim-expiry/${taskId}/${version}`,
  deadline: (taskId: string) => `deadline/${taskId}`,
  escalation: (taskId: string, version: number) => `escalation/${taskId}/${version}`,
  autoAccept: (taskId: string, version: number) => `auto-accept/${taskId}/${version}`,
  reviewReminder: (taskId: string, version: number) => `review-reminder/${taskId}/${version}`,
  /** One mail per cause (a token, a task version and recipient): a retried cause sends it once. */
  mail: (key: string) => `mail/${key}`,
  webhook: (deliveryId: string) => `webhook/${deliveryId}`,
  importRun: (importId: string) => `import/${importId}`,
  webhookRedelivery: (deliveryId: string, n: number) => `webhook/${deliveryId}/redelivery/${n}`,
};
