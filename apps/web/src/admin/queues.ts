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
