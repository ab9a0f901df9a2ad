import type { Category, Priority, TaskEventView, TaskStatus, TaskView } from '@handoff/contracts';

/** A task row as node-postgres returns it (snake_case, Dates). */
export interface TaskRow {
  id: string;
  organization_id: string;
  created_by: string;
  title: string;
  instructions: string;
  category: Category;
  priority: Priority;
  deadline: Date;
  price_cents: number;
  currency: string;
  status: TaskStatus;
  assignee_id: string | null;
  assignee_name?: string | null;
  organization_name?: string | null;
  result: string | null;
  feedback: string | null;
  on_time: boolean | null;
  overdue: boolean;
  escalated: boolean;
  version: number;
  created_at: Date;
  claimed_at: Date | null;
  started_at: Date | null;
  returned_at: Date | null;
  accepted_at: Date | null;
  cancelled_at: Date | null;
}

export interface TaskEventRow {
  id: string;
  action: string;
  from_status: TaskStatus | null;
  to_status: TaskStatus;
  actor_id: string | null;
  actor_role: string;
  note: string | null;
  created_at: Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const DATE_COLUMNS = ['deadline', 'created_at', 'claimed_at', 'started_at', 'returned_at', 'accepted_at', 'cancelled_at'] as const;

/** A task row that came back as JSON (`to_jsonb`), with its timestamps as node-postgres would give them. */
export function taskRowFromJson(json: Record<string, unknown>): TaskRow {
  const row = { ...json } as Record<string, unknown>;
  for (const col of DATE_COLUMNS) if (typeof row[col] === 'string') row[col] = new Date(row[col]);
  return row as unknown as TaskRow;
}
const NOT_YET_RETURNED: readonly TaskStatus[] = ['queued', 'claimed', 'in_progress'];

/** The flag can lag its timer by a moment; the view never does. */
export function isOverdue(row: Pick<TaskRow, 'overdue' | 'deadline' | 'status'>, now = Date.now()): boolean {
  if (!NOT_YET_RETURNED.includes(row.status)) return row.overdue && row.status !== 'cancelled';
  return row.overdue || row.deadline.getTime() <= now;
}

export function toTaskView(row: TaskRow, events?: TaskEventRow[]): TaskView {
  const view: TaskView = {
    id: row.id,
    organizationId: row.organization_id,
    createdBy: row.created_by,
    title: row.title,
    instructions: row.instructions,
    category: row.category,
    priority: row.priority,
    deadline: row.deadline.toISOString(),
    priceCents: row.price_cents,
    currency: row.currency.trim(),
    status: row.status,
    assigneeId: row.assignee_id,
    assigneeName: row.assignee_name ?? null,
    result: row.result,
    feedback: row.feedback,
    onTime: row.on_time,
    overdue: isOverdue(row),
    escalated: row.escalated,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    claimedAt: iso(row.claimed_at),
    startedAt: iso(row.started_at),
    returnedAt: iso(row.returned_at),
    acceptedAt: iso(row.accepted_at),
    cancelledAt: iso(row.cancelled_at),
  };
  if (row.organization_name !== undefined) view.organizationName = row.organization_name ?? undefined;
  if (events) view.events = events.map(toEventView);
  return view;
}

export function toEventView(e: TaskEventRow): TaskEventView {
  return {
    id: e.id,
    action: e.action,
    fromStatus: e.from_status,
    toStatus: e.to_status,
    actorId: e.actor_id,
    actorRole: e.actor_role,
    note: e.note,
    createdAt: e.created_at.toISOString(),
  };
}

/** Columns every task read selects: the row plus the names the dashboard shows. */
export const TASK_SELECT = `t.*, a.name AS assignee_name, o.name AS organization_name`;
export const TASK_JOINS = `LEFT JOIN users a ON a.id = t.assignee_id JOIN organizations o ON o.id = t.organization_id`;

/**
 * Tasks by id ($1), as they are now: the relay's batch, and the announce's
 * tasks whose view it does not have. Sent unnamed, so planned on each call: a
 * prepared plan made while `tasks` was a few pages (a new install, a fresh
 * bench database) hashed a sequential scan of it, and kept doing so as it
 * grew until the next ANALYZE. Under the submit bench, uuid comparisons in
 * such plans took 23 % of the machine's CPU.
 */
export const TASKS_BY_ID_SQL = `SELECT ${TASK_SELECT} FROM tasks t ${TASK_JOINS} WHERE t.id = ANY($1::uuid[])`;
