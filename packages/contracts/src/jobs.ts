import { z } from 'zod';

// One job name, one payload schema, one queue. Producers and workers both
// parse payloads with these schemas, and the API refuses to start a worker
// while any job here lacks exactly one handler.
export const QUEUES = ['dispatch', 'timers'] as const;
export type QueueName = (typeof QUEUES)[number];

const taskVersion = z.object({ taskId: z.uuid(), version: z.number().int().positive() });

export const JOB_SCHEMAS = {
  'dispatch.announce': taskVersion,
  'timers.claim-expiry': taskVersion,
  'timers.deadline': z.object({ taskId: z.uuid() }),
  'timers.escalation': taskVersion,
  'timers.auto-accept': taskVersion,
} as const;

export type JobName = keyof typeof JOB_SCHEMAS;
export type JobPayloads = { [K in JobName]: z.infer<(typeof JOB_SCHEMAS)[K]> };

export const JOB_QUEUE = {
  'dispatch.announce': 'dispatch',
  'timers.claim-expiry': 'timers',
  'timers.deadline': 'timers',
  'timers.escalation': 'timers',
  'timers.auto-accept': 'timers',
} as const satisfies { [K in JobName]: QueueName };

/**
 * Deterministic ids: the same timer for the same task version collapses into
 * one job. `/` separates the parts because BullMQ reserves `:` in custom ids.
 */
export const jobId = {
  announce: (taskId: string, version: number) => `announce/${taskId}/${version}`,
  claimExpiry: (taskId: string, version: number) => `claim-expiry/${taskId}/${version}`,
  deadline: (taskId: string) => `deadline/${taskId}`,
  escalation: (taskId: string, version: number) => `escalation/${taskId}/${version}`,
  autoAccept: (taskId: string, version: number) => `auto-accept/${taskId}/${version}`,
};
