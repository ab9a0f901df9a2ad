import type { TaskAction, TaskStatus } from '@handoff/contracts';
import type { EntityManager } from 'typeorm';
import { query } from '../database/sql.js';
import { TASK_SELECT, type TaskRow } from './task-row.js';

export interface TransitionInput {
  /** The task it moves. */
  target: { id: string };
  action: TaskAction | 'escalate' | 'overdue';
  from: TaskStatus;
  to: TaskStatus;
  actor: { id: string | null; role: string };
  note?: string | null;
  /** Extra `col = expr` assignments; parameters referenced as `:name`. */
  set?: Record<string, string>;
  params?: Record<string, unknown>;
  /** A further guard in SQL (`NOT escalated`); parameters as in `set`. */
  extraWhere?: string;
  /** Only the assignee may make this move. */
  assigneeId?: string;
  previousAssigneeId?: string | null;
  /** Write the charge and payout when this return is the first and on time. */
  bill?: { feeBps: number };
  /**
   * The moment the move happens, when it is not now (the demo's history): every
   * `now()` in the statement, its event and its ledger entries read this instead.
   */
  at?: Date;
}

/**
 * Every state change is this one statement: a conditional UPDATE guarded by the
 * status it leaves from (and the assignee), its audit event and its outbox row,
 * and on a first on-time return the ledger entries. Zero rows means the task
 * moved underneath; nothing is written then.
 */
export async function runTransition(m: EntityManager, input: TransitionInput): Promise<TaskRow | null> {
  const { sql, values } = transitionSql(input);
  const rows = await query<TaskRow>(m, sql, values);
  return rows[0] ?? null;
}

/** Where the claiming assistant stood, read under the lock the claim took on their row. */
export interface Capacity {
  active: number;
  max: number;
  suspended: boolean;
}

/**
 * A claim is a transition that also needs a free slot. The assistant's row is
 * locked in the same statement, and its `active_tasks` (kept by a trigger on
 * tasks) is read after any wait for that lock: parallel claims by one
 * assistant queue on the row, and the later ones see the slots the earlier
 * ones took. (A count(*) here would be read from the statement's snapshot,
 * taken before the wait, and let them all through.)
 */
/** A claim's row (null: nothing was there to take) and the capacity it was checked against. */
export interface ClaimOutcome {
  row: TaskRow | null;
  capacity: Capacity;
}

export async function runClaimTransition(m: EntityManager, input: TransitionInput, assistantId: string): Promise<ClaimOutcome | null> {
  const { sql, values } = transitionSql(input, assistantId);
  const [first] = await query<TaskRow & { cap_active: number; cap_max: number; cap_suspended: boolean }>(m, sql, values);
  if (!first) return null;
  const { cap_active, cap_max, cap_suspended, ...row } = first;
  return { row: row.id ? (row as TaskRow) : null, capacity: { active: cap_active, max: cap_max, suspended: cap_suspended } };
}

function transitionSql(input: TransitionInput, capacityOf?: string): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const clock = input.at ? `${p(input.at)}::timestamptz` : 'now()';
  const named = (sql: string) => sql.replace(/(?<!:):([a-zA-Z]\w*)/g, (_, k: string) => p(input.params?.[k])).replaceAll('now()', clock);
  // Columns that default to the time of the insert are written out only for a move at another moment.
  const stamped = input.at ? ', created_at' : '';
  const stamp = input.at ? `, ${clock}` : '';

  const to = p(input.to);
  const from = p(input.from);
  const action = p(input.action);
  let where = `id = ${p(input.target.id)} AND status = ${from}::task_status`;
  if (input.assigneeId) where += ` AND assignee_id = ${p(input.assigneeId)}::uuid`;
  if (input.extraWhere) where += ` AND (${named(input.extraWhere)})`;
  const me = capacityOf ? p(capacityOf) : null;
  const cap = me
    ? `cap AS (SELECT active_tasks, max_concurrent_tasks, suspended FROM users WHERE id = ${me}::uuid FOR UPDATE),
    `
    : '';
  if (me) where += ` AND EXISTS (SELECT 1 FROM cap WHERE NOT suspended AND active_tasks < max_concurrent_tasks)`;

  const sets = Object.entries(input.set ?? {}).map(([col, expr]) => `${col} = ${named(expr)}`);
  const actorId = p(input.actor.id);
  const actorRole = p(input.actor.role);
  const note = p(input.note ?? null);
  const prevAssignee = p(input.previousAssigneeId ?? null);

  const billing = input.bill
    ? `,
      charge AS (
        INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency${stamped})
        SELECT id, organization_id, assignee_id, 'charge', price_cents, currency${stamp} FROM t WHERE on_time
        ON CONFLICT DO NOTHING RETURNING id),
      payout AS (
        INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency${stamped})
        SELECT id, organization_id, assignee_id, 'payout',
               price_cents - (price_cents::bigint * ${p(input.bill.feeBps)}::int + 5000) / 10000, currency${stamp}
          FROM t WHERE on_time
        ON CONFLICT DO NOTHING RETURNING id),
      billed AS (
        INSERT INTO outbox (topic, payload)
        SELECT 'billing', jsonb_build_object('entryId', id) FROM (SELECT id FROM charge UNION ALL SELECT id FROM payout) e)`
    : '';

  const taskSelect = `SELECT ${TASK_SELECT} FROM t
      LEFT JOIN users a ON a.id = t.assignee_id JOIN organizations o ON o.id = t.organization_id`;
  const sql = `
    WITH ${cap}t AS (
      UPDATE tasks SET status = ${to}::task_status, version = version + 1, updated_at = ${clock}${sets.length ? ', ' + sets.join(', ') : ''}
       WHERE ${where}
      RETURNING *),
    ev AS (
      INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role, note${stamped})
      SELECT id, ${action}, ${from}::task_status, status, ${actorId}::uuid, ${actorRole}, ${note}${stamp} FROM t),
    ob AS (
      INSERT INTO outbox (topic, payload)
      SELECT 'task', jsonb_build_object('taskId', id, 'version', version, 'action', ${action}::text,
             'from', ${from}::text, 'to', status, 'prevAssigneeId', ${prevAssignee}::uuid) FROM t)${billing}
    ${
      me
        ? `SELECT cap.active_tasks AS cap_active, cap.max_concurrent_tasks AS cap_max, cap.suspended AS cap_suspended, x.*
             FROM cap LEFT JOIN (${taskSelect}) x ON true`
        : taskSelect
    }`;
  return { sql, values };
}
