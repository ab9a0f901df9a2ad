// One job name, one payload type, one queue. The API refuses at start-up to run
// with a job that has no handler, so adding a job here forces adding its handler.
export const QUEUES = ['dispatch', 'timers', 'billing', 'notifications'] as const;
export type QueueName = (typeof QUEUES)[number];

export interface JobPayloads {
  'dispatch.announce': { taskId: string; version: number };
  'timers.claim-expiry': { taskId: string; version: number };
  'timers.deadline': { taskId: string };
  'timers.escalation': { taskId: string; version: number };
  'timers.auto-accept': { taskId: string; version: number };
}
export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { [K in JobName]: QueueName } = {
  'dispatch.announce': 'dispatch',
  'timers.claim-expiry': 'timers',
  'timers.deadline': 'timers',
  'timers.escalation': 'timers',
  'timers.auto-accept': 'timers',
};
