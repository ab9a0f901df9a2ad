import { QUEUES, type QueueName } from '@handoff/contracts';

export interface QueueRow {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function row(name: string, counts: Record<string, unknown>): QueueRow {
  return { name, waiting: num(counts.waiting), active: num(counts.active), delayed: num(counts.delayed), failed: num(counts.failed) };
}

/**
 * The contract names the counts but not the envelope, so accept the likely ones:
 * `[{name, waiting, …}]`, `{queues: [...]}`, `[{name, counts: {…}}]` or `{dispatch: {waiting, …}, …}`.
 */
export function normalizeQueues(data: unknown): QueueRow[] {
  if (!data || typeof data !== 'object') return [];
  const list = Array.isArray(data) ? data : Array.isArray((data as { queues?: unknown }).queues) ? (data as { queues: unknown[] }).queues : null;
  if (list) {
    return list
      .filter((q): q is Record<string, unknown> => !!q && typeof q === 'object')
      .map((q) => {
        const name = String(q.name ?? q.queue ?? 'queue');
        const counts = q.counts && typeof q.counts === 'object' ? (q.counts as Record<string, unknown>) : q;
        return row(name, counts);
      });
  }
  const source = (data as { queues?: unknown }).queues && typeof (data as { queues?: unknown }).queues === 'object' ? (data as { queues: Record<string, unknown> }).queues : (data as Record<string, unknown>);
  return Object.entries(source)
    .filter(([, v]) => !!v && typeof v === 'object')
    .map(([name, v]) => row(name, v as Record<string, unknown>));
}

const isQueueName = (name: string): name is QueueName => (QUEUES as readonly string[]).includes(name);

/** Queues with failed jobs that the API can list and retry: only those the contract names. */
export function failingQueues(rows: QueueRow[]): (QueueRow & { name: QueueName })[] {
  return rows.filter((q): q is QueueRow & { name: QueueName } => q.failed > 0 && isQueueName(q.name));
}

export interface QueueStats {
  queues: QueueRow[];
  /** Exact tasks per state, when the API reports them alongside the queues. */
  taskCounts: Partial<Record<string, number>> | null;
  overdue: number | null;
  escalated: number | null;
  outboxPending: number | null;
}

const optNum = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function normalizeQueueStats(data: unknown): QueueStats {
  const d = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const hasStats = 'tasks' in d || 'overdue' in d;
  const tasks = d.tasks && typeof d.tasks === 'object' && !Array.isArray(d.tasks) ? (d.tasks as Record<string, unknown>) : null;
  return {
    queues: hasStats ? normalizeQueues({ queues: d.queues }) : normalizeQueues(data),
    taskCounts: tasks ? Object.fromEntries(Object.entries(tasks).map(([k, v]) => [k, num(v)])) : null,
    overdue: optNum(d.overdue),
    escalated: optNum(d.escalated),
    outboxPending: optNum(d.outboxPending),
  };
}
