import type { Category, ErrorBody, JobPayloads, Priority, TaskView } from '@handoff/contracts';
import type { Queue } from 'bullmq';
import type { Session } from './factories.js';
import type { HttpClient } from './http.js';

export const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

export function taskBody(overrides: Partial<{ title: string; instructions: string; category: Category; priority: Priority; deadline: string }> = {}) {
  return {
    title: 'Enter March invoices',
    instructions: '1. Open the shared folder. 2. Enter each invoice in the ledger sheet. 3. Flag duplicates.',
    category: 'data_entry' as Category,
    priority: 'normal' as Priority,
    deadline: inHours(24),
    ...overrides,
  };
}

export async function submitTask(http: HttpClient, client: Session, overrides: Parameters<typeof taskBody>[0] = {}): Promise<TaskView> {
  const res = await http.post<TaskView>('/api/tasks', taskBody(overrides), { token: client.token });
  if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A task on success, the error body otherwise: tests look at whichever the status says. */
export type TaskOrError = TaskView & Partial<Omit<ErrorBody, 'status'>>;

export async function act(http: HttpClient, s: Session, id: string, action: string, body?: unknown) {
  return http.post<TaskOrError>(`/api/tasks/${id}/${action}`, body, { token: s.token });
}

/**
 * Poll until the condition holds; background work (relay, timers) is asynchronous by design. The limit
 * catches a hang, not slowness: a loaded machine may take seconds for what a quiet one does at once.
 */
export const EVENTUALLY_MS = 30_000;
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = EVENTUALLY_MS, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    last = await fn();
  }
  return last;
}

// In the order a job moves through them, so reading them one after another never
// misses a job that moves on between two reads: it is found in a later state.
const JOB_STATES = ['delayed', 'prioritized', 'waiting', 'active', 'failed', 'completed'] as const;

/**
 * `<taskId>/<version>` → the state of an announce job carrying it (the most
 * advanced, when it was seen twice or several jobs carry it). Announce jobs
 * carry a relay batch each, so their ids don't name tasks; the payload does.
 */
export async function announceStates(dispatch: Queue): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const state of JOB_STATES) {
    for (const job of await dispatch.getJobs([state])) {
      for (const t of (job.data as Partial<JobPayloads['dispatch.announce']>).tasks ?? []) out.set(`${t.taskId}/${t.version}`, state);
    }
  }
  return out;
}

export async function announceState(dispatch: Queue, taskId: string, version: number): Promise<string> {
  return (await announceStates(dispatch)).get(`${taskId}/${version}`) ?? 'missing';
}
