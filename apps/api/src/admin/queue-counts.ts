import { TASK_STATUSES, type TaskStatus } from '@handoff/contracts';
import type { EntityManager } from 'typeorm';

// Tasks per status from the counters the task triggers keep (migration
// 1764002810000-task-status-counts, docs/PERFORMANCE.md#task-status-counters):
// a sum over a fixed number of shard rows, exact in the reader's snapshot, at any size.
export const TASK_STATUS_COUNTS_SQL = `SELECT status, sum(n)::int AS n FROM task_status_counts GROUP BY status`;

export async function taskStatusCounts(m: Pick<EntityManager, 'query'>): Promise<Record<TaskStatus, number>> {
  const rows: { status: TaskStatus; n: number }[] = await m.query(TASK_STATUS_COUNTS_SQL);
  return Object.fromEntries(TASK_STATUSES.map((s) => [s, rows.find((r) => r.status === s)?.n ?? 0])) as Record<TaskStatus, number>;
}

/**
 * Open tasks past their deadline (flagged, or due and not yet swept), queued tasks escalated, outbox rows
 * waiting: counts of index entries (tasks_open_overdue_idx, tasks_escalated_idx), not of task rows.
 */
export const QUEUE_FLAGS_SQL = `
  SELECT (SELECT count(*)::int FROM tasks WHERE status IN ('queued', 'claimed', 'in_progress') AND overdue)
       + (SELECT count(*)::int FROM tasks WHERE status IN ('queued', 'claimed', 'in_progress') AND NOT overdue AND deadline <= now()) AS overdue,
         (SELECT count(*)::int FROM tasks WHERE status = 'queued' AND escalated) AS escalated,
         (SELECT count(*)::int FROM outbox) AS outbox`;

export async function queueFlags(m: Pick<EntityManager, 'query'>): Promise<{ overdue: number; escalated: number; outbox: number }> {
  const [flags]: { overdue: number; escalated: number; outbox: number }[] = await m.query(QUEUE_FLAGS_SQL);
  return flags!;
}
