import { JOB_QUEUE, JOB_SCHEMAS, type JobName, type JobPayloads, type QueueName } from '@handoff/contracts';
import type { Job } from 'bullmq';

export type Handlers<Q extends QueueName> = {
  [K in JobName as (typeof JOB_QUEUE)[K] extends Q ? K : never]: (payload: JobPayloads[K], job: Job) => Promise<unknown>;
};

/** Parse the payload with the producer's schema, then run the one handler for its name. */
export async function runJob<Q extends QueueName>(queue: Q, handlers: Handlers<Q>, job: Job): Promise<unknown> {
  const name = job.name as JobName;
  const handler = (handlers as Record<string, (p: unknown, j: Job) => Promise<unknown>>)[name];
  if (!handler || JOB_QUEUE[name] !== queue) throw new Error(`no handler for job "${job.name}" on queue ${queue}`);
  const parsed = JOB_SCHEMAS[name].safeParse(job.data);
  // One line an admin can read on the failed-jobs list, not zod's JSON dump.
  if (!parsed.success) throw new Error(`${name} payload is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'} ${i.message}`).join('; ')}`);
  return handler(parsed.data, job);
}

/** Refuse to start a worker when a job has no handler, or two. */
export function assertEveryJobHandled(registered: Record<QueueName, object>): void {
  const problems: string[] = [];
  for (const name of Object.keys(JOB_SCHEMAS) as JobName[]) {
    const queue = JOB_QUEUE[name];
    const count = Object.entries(registered).filter(([q, h]) => q === queue && name in h).length;
    if (count !== 1) problems.push(`${name}: ${count} handlers`);
  }
  if (problems.length) throw new Error(`job handlers are not one per job: ${problems.join(', ')}`);
}
