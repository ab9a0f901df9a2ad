import { z } from 'zod';

// One job name, one payload schema, one queue. Producers and workers both
// parse payloads with these schemas, and the API refuses to start a worker
// while any job here lacks exactly one handler.
export const QUEUES = ['dispatch', 'timers'] as const;
export type QueueName = (typeof QUEUES)[number];

const taskVersion = z.object({ taskId: z.uuid(), version: z.number().int().positive() });

/** The most task versions one announce job carries: a relay batch's worth. */
export const ANNOUNCE_BATCH = 200;
/** The most preferred assistants an open announce names as already told. */
export const ANNOUNCE_TOLD_MAX = 1_000;

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
};
