import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AWAITING_RETURN_STATUSES, PRIORITY_MULTIPLIER_BPS, type Category, type ChecklistStep, type InputValues, type Priority, type TaskStatus } from '@handoff/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { cursorColumn, type Cursor } from '../common/http/pagination.js';
import { rowMapper } from '../database/rows.js';
import { query, rowsOf, type Queryable } from '../database/sql.js';
import { returnLedgerSql } from '../billing/ledger.repository.js';
import { qualifiedSql } from '../qualifications/assistant-qualifications.repository.js';
import { checklistTickedEvents, TASK_SUBMITTED_EVENTS, taskTransitionedEvents, type Placeholder } from '../events/outbox.repository.js';
import { CHECKLIST_STEPS_SUBMITTED, checklistTickSql } from './task-checklist-steps.repository.js';
import type { Move, MoveAction } from './moves.js';
import { Task, type TaskWithNames } from './task.entity.js';

// Spelled into the SQL from the one list, so the planner can still match the partial indexes on it.
const AWAITING_RETURN_SQL = AWAITING_RETURN_STATUSES.map((s) => `'${s}'`).join(', ');

/** A task row (and the names every read joins) in the entity's shape. */
export const toTask = rowMapper<Task, Pick<TaskWithNames, 'assigneeName' | 'organizationName'>>(Task, {
  assignee_name: 'assigneeName',
  organization_name: 'organizationName',
});

/** Columns every task read selects: the row plus the names the dashboard shows. */
export const TASK_SELECT = `t.*, a.name AS assignee_name, o.name AS organization_name`;
export const TASK_JOINS = `LEFT JOIN users a ON a.id = t.assignee_id JOIN organizations o ON o.id = t.organization_id`;

/** Best first: priority, then the earliest deadline, then age (the board and claim-next). */
export const QUEUE_ORDER = `priority DESC, deadline ASC, created_at ASC, id ASC`;

/**
 * claim-next's pick: the first queued task in the skills ($1), in queue order, passing over rows
 * other claims hold. The function hands it only the skills the assistant is qualified for
 * (`qualifiedSql`, cut once per assistant), so the pick itself is unchanged. `handoff_claim_next` runs it for each assistant (written out in its
 * migration); `bench/explain.mjs` shows its plan from here.
 */
export const CLAIM_NEXT_PICK = `SELECT id FROM tasks WHERE status = 'queued' AND category = ANY($1::task_category[]) ORDER BY ${QUEUE_ORDER} LIMIT 1 FOR UPDATE SKIP LOCKED`;

/**
 * claim-next for many assistants at once ($1 their ids, $2 their skills, comma-joined), in
 * that order: CLAIM_NEXT_PICK and the claim `transition` makes, for each, in one call
 * (migration 1764001500000-claim-next-batch). One row per assistant found, `ord` from 1.
 */
export const CLAIM_NEXT_SQL = `SELECT ord, cap_active, cap_max, cap_suspended, task FROM handoff_claim_next($1::uuid[], $2::text[])`;

/**
 * Tasks by id ($1), as they are now: the relay's batch, and the announce's
 * tasks whose view it does not have. Sent unnamed, so planned on each call: a
 * prepared plan made while `tasks` was a few pages (a new install, a fresh
 * bench database) hashed a sequential scan of it, and kept doing so as it
 * grew until the next ANALYZE.
 */
export const TASKS_BY_ID_SQL = `SELECT ${TASK_SELECT} FROM tasks t ${TASK_JOINS} WHERE t.id = ANY($1::uuid[])`;

/**
 * Which tasks of one announce are still queued at the version it names, each
 * with who can take it now: the skill, a free slot, online, not suspended, and
 * the qualification where its category requires one. The
 * batch is fetched by primary key first and only then checked for its status:
 * left to the planner, `status = 'queued'` chose the queue's partial index
 * whenever the statistics were older than the backlog, and read the whole queue.
 */
export const ANNOUNCE_SQL = `
  WITH t AS MATERIALIZED (SELECT id, version, status, category FROM tasks WHERE id = ANY($1::uuid[]))
  SELECT t.id, t.version,
         ARRAY(SELECT u.id FROM users u
                WHERE u.role = 'assistant' AND u.online AND NOT u.suspended
                  AND u.skills @> ARRAY[t.category] AND u.active_tasks < u.max_concurrent_tasks
                  AND ${qualifiedSql('u.id', 't.category')}) AS eligible
    FROM unnest($1::uuid[], $2::int[]) AS wanted(id, version)
    JOIN t ON t.id = wanted.id AND t.version = wanted.version AND t.status = 'queued'`;

/**
 * Submissions, any number in one statement: each task at the price the rate
 * card gives now, with its submit event and its `task.submitted`, and for a
 * task made from a template the version it pins, its inputs and its checklist
 * (a copy of the version's steps, with the counts the task row keeps). The ids
 * are made by `submission`, so each caller finds its own row; a task whose
 * category has no rate is not inserted and has no row back, nor is one whose
 * organization or template has a budget, unless the submission was checked
 * against it (`budgetChecked`, under the organization's lock): it goes again
 * through the budget's check. Without a budget that costs a join on the
 * organization the answer reads anyway. Exported so the bench can run the
 * API's own statement without the API around it.
 */
export const SUBMIT_SQL = `
  WITH i AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::task_category[], $6::text[], $7::task_priority[], $8::timestamptz[], $9::int[],
                         $10::uuid[], $11::uuid[], $12::int[], $13::jsonb[], $14::jsonb[], $15::int[], $16::int[], $17::boolean[])
      AS i(id, organization_id, created_by, title, category, instructions, priority, deadline, multiplier_bps,
           template_id, template_version_id, template_version, inputs, checklist, checklist_total, checklist_required, budget_checked)),
  t AS (
    INSERT INTO tasks (id, organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency,
                       template_id, template_version_id, template_version, inputs, checklist_total, checklist_required_open)
    SELECT i.id, i.organization_id, i.created_by, i.title, i.instructions, i.category, i.priority, i.deadline,
           handoff_bps_of(r.base_price_cents, i.multiplier_bps), r.currency,
           i.template_id, i.template_version_id, i.template_version, i.inputs, i.checklist_total, i.checklist_required
      FROM i JOIN rate_card r ON r.category = i.category JOIN organizations bo ON bo.id = i.organization_id
     WHERE i.budget_checked
        OR (bo.monthly_budget_cents IS NULL
            AND (i.template_id IS NULL OR NOT EXISTS (SELECT 1 FROM templates bt WHERE bt.id = i.template_id AND bt.monthly_budget_cents IS NOT NULL)))
    RETURNING *),
  ev AS (
    INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role)
    SELECT id, 'submit', NULL, status, created_by, 'client' FROM t),
  steps AS (${CHECKLIST_STEPS_SUBMITTED}),
  ob AS (${TASK_SUBMITTED_EVENTS})
  SELECT t.*, NULL AS assignee_name, o.name AS organization_name FROM t JOIN organizations o ON o.id = t.organization_id`;

/** The template version a task is made from, as the task pins it. */
export interface PinnedTemplate {
  templateId: string;
  versionId: string;
  version: number;
  inputs: InputValues;
  checklist: readonly ChecklistStep[];
}

/** What a task is submitted with, written out or filled from a template. */
export interface TaskContent {
  title: string;
  instructions: string;
  category: Category;
  priority: Priority;
  deadline: string;
  template?: PinnedTemplate | null;
}

export interface Submission {
  id: string;
  organizationId: string;
  createdBy: string;
  body: TaskContent;
  /** Checked against its budgets in this transaction, under the organization's lock. */
  budgetChecked?: boolean;
}

export function submission(user: Pick<AuthUser, 'organizationId' | 'id'>, body: TaskContent): Submission {
  return { id: randomUUID(), organizationId: user.organizationId!, createdBy: user.id, body };
}

/** SUBMIT_SQL's parameters: one array per column, one entry per submission. */
export function submitParams(subs: readonly Submission[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 17 }, () => []);
  for (const s of subs) {
    const b = s.body;
    const tpl = b.template ?? null;
    const row = [
      s.id,
      s.organizationId,
      s.createdBy,
      b.title,
      b.category,
      b.instructions,
      b.priority,
      b.deadline,
      PRIORITY_MULTIPLIER_BPS[b.priority],
      tpl?.templateId ?? null,
      tpl?.versionId ?? null,
      tpl?.version ?? null,
      tpl ? JSON.stringify(tpl.inputs) : null,
      tpl ? JSON.stringify(tpl.checklist) : null,
      tpl?.checklist.length ?? 0,
      tpl?.checklist.filter((step) => step.required).length ?? 0,
      s.budgetChecked ?? false,
    ];
    for (let k = 0; k < row.length; k++) cols[k]!.push(row[k]);
  }
  return cols;
}

/** A tick or untick of a step by the task's assignee (TasksRepository.tickChecklist). */
export interface ChecklistTick {
  taskId: string;
  stepId: string;
  done: boolean;
  assigneeId: string;
  note: string | null;
}

/**
 * A tick: the task locked while it is in progress with this assignee, the step
 * changed if it is not in that state already, the task's counts moved by it,
 * its history row (the step's title and the note) and its `task.checklist_ticked`,
 * in one statement. The lock makes ticks of one task take turns, and a return
 * (whose guard reads the counts from the row) waits for a tick in flight.
 */
export const CHECKLIST_TICK_SQL = `
  WITH g AS (SELECT id FROM tasks WHERE id = $1::uuid AND status = 'in_progress' AND assignee_id = $2::uuid FOR UPDATE),
  s AS (${checklistTickSql({ stepId: '$3', done: '$4', actorId: '$2', note: '$5' })}),
  t AS (
    UPDATE tasks SET checklist_done = checklist_done + CASE WHEN $4::boolean THEN 1 ELSE -1 END,
                     checklist_required_open = checklist_required_open - CASE WHEN NOT s.required THEN 0 WHEN $4::boolean THEN 1 ELSE -1 END
      FROM s WHERE tasks.id = s.task_id
    RETURNING tasks.*),
  ev AS (
    INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role, note)
    SELECT t.id, CASE WHEN $4::boolean THEN 'check' ELSE 'uncheck' END, t.status, t.status, $2::uuid, 'assistant',
           s.title || COALESCE(': ' || $5::text, '')
      FROM t JOIN s ON s.task_id = t.id),
  ob AS (${checklistTickedEvents({ done: '$4', actorId: '$2' })})
  SELECT EXISTS (SELECT 1 FROM g) AS held, (SELECT count(*)::int FROM s) AS changed`;

export interface TransitionInput {
  taskId: string;
  move: Move;
  from: TaskStatus;
  to: TaskStatus;
  actor: { id: string | null; role: string };
  note?: string | null;
  /** Only this assignee may make the move. */
  assigneeId?: string;
  previousAssigneeId?: string | null;
  /**
   * The moment the move happens, when it is not now (the demo's history): every
   * `now()` in the statement, its event and its ledger entries read this instead.
   */
  at?: Date;
}

/** Where the claiming assistant stood, read under the lock the claim took on their row. */
export interface Capacity {
  active: number;
  max: number;
  suspended: boolean;
}

/** A claim's row (null: nothing was there to take) and the capacity it was checked against. */
export interface ClaimOutcome {
  row: TaskWithNames | null;
  capacity: Capacity;
}

/** Hands out `$n` placeholders in order, so a statement's parameters line up with its values. */
type Slot = (value: unknown) => Placeholder;

/** What a move writes beside its status and version, and what else must hold for it; `bill`: write the ledger entries at this fee. */
export interface Effect {
  set: readonly string[];
  where?: string;
  bill?: { feeBps: number };
}

/**
 * Each action's fixed SQL. Values only ever enter as placeholders, so a
 * move's statement text depends on its action alone (and is prepared once).
 */
export const EFFECTS: { [A in MoveAction]: (move: Extract<Move, { action: A }>, p: Slot, now: string) => Effect } = {
  // The qualification, read in the claiming statement, so a requirement set meanwhile holds.
  claim: (m, p, now) => {
    const me = p(m.assistantId);
    return { set: [`assignee_id = ${me}::uuid`, `claimed_at = ${now}`], where: qualifiedSql(`${me}::uuid`, 'tasks.category') };
  },
  start: (_m, _p, now) => ({ set: [`started_at = COALESCE(started_at, ${now})`] }),
  release: () => ({ set: ['assignee_id = NULL', 'claimed_at = NULL'] }),
  // onTime is fixed at the first return and never recomputed.
  // Every required step of the checklist ticked, read from the row the move locks, so a concurrent untick is seen.
  return: (m, p, now) => ({
    set: [`result = ${p(m.result)}`, `returned_at = COALESCE(returned_at, ${now})`, `on_time = COALESCE(on_time, ${now} <= deadline)`],
    where: 'checklist_required_open = 0',
    bill: { feeBps: m.feeBps },
  }),
  accept: (_m, _p, now) => ({ set: [`accepted_at = ${now}`] }),
  revise: (m, p) => ({ set: [`feedback = ${p(m.feedback)}`] }),
  cancel: (_m, _p, now) => ({ set: [`cancelled_at = ${now}`, 'assignee_id = NULL'] }),
  expire: (m, p) => ({ set: ['assignee_id = NULL', 'claimed_at = NULL'], where: `version = ${p(m.version)}` }),
  auto_accept: (m, p, now) => ({ set: [`accepted_at = ${now}`], where: `version = ${p(m.version)}` }),
  overdue: (_m, _p, now) => ({ set: ['overdue = true'], where: `NOT overdue AND deadline <= ${now}` }),
  escalate: (m, p) => ({ set: ['escalated = true', `priority = ${p(m.priority)}::task_priority`], where: 'NOT escalated' }),
  // The review timer reads `returned` only, so leaving it stops auto-accept.
  dispute: () => ({ set: [] }),
  // Rework is a revision an admin asks for: the admin's note is its feedback.
  resolve_rework: (m, p) => ({ set: [`feedback = ${p(m.feedback)}`] }),
  resolve_refund: (_m, _p, now) => ({ set: [`accepted_at = ${now}`] }),
  // Back to the queue for another assistant; the first return's charge and payout stand (DisputesService).
  resolve_reassign: () => ({ set: ['assignee_id = NULL', 'claimed_at = NULL'] }),
};

export function effectOf(move: Move, p: Slot, now: string): Effect {
  return (EFFECTS[move.action] as (m: Move, p: Slot, now: string) => Effect)(move, p, now);
}

/**
 * Every state change is this one statement: a conditional UPDATE guarded by
 * the status it leaves from (and the assignee), its audit event and its
 * `task.transitioned`, and on a first on-time return billing's step. With `capacityOf`, the
 * assistant's row is locked in the same statement and its `active_tasks` (kept
 * by a trigger on tasks) read after any wait for that lock, so parallel claims
 * by one assistant see the slots the earlier ones took.
 */
export function transitionSql(input: TransitionInput, capacityOf?: string): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const p: Slot = (v) => {
    values.push(v);
    return `$${values.length}` as Placeholder;
  };
  const at = input.at ? p(input.at) : null;
  const clock = at ? `${at}::timestamptz` : 'now()';
  // Columns that default to the time of the insert are written out only for a move at another moment.
  const stamped = input.at ? ', created_at' : '';
  const stamp = input.at ? `, ${clock}` : '';

  const to = p(input.to);
  const from = p(input.from);
  const action = p(input.move.action);
  let where = `id = ${p(input.taskId)} AND status = ${from}::task_status`;
  if (input.assigneeId) where += ` AND assignee_id = ${p(input.assigneeId)}::uuid`;
  const effect = effectOf(input.move, p, clock);
  if (effect.where) where += ` AND (${effect.where})`;
  const me = capacityOf ? p(capacityOf) : null;
  const cap = me
    ? `cap AS (SELECT active_tasks, max_concurrent_tasks, suspended FROM users WHERE id = ${me}::uuid FOR UPDATE),
    `
    : '';
  if (me) where += ` AND EXISTS (SELECT 1 FROM cap WHERE NOT suspended AND active_tasks < max_concurrent_tasks)`;

  const actorId = p(input.actor.id);
  const actorRole = p(input.actor.role);
  const note = p(input.note ?? null);
  const prevAssignee = p(input.previousAssigneeId ?? null);

  // Money is billing's: its step of a return joins this statement, so the entries commit with the move.
  const billing = effect.bill ? `,${returnLedgerSql(p(effect.bill.feeBps), at)}` : '';

  const taskSelect = `SELECT ${TASK_SELECT} FROM t ${TASK_JOINS}`;
  const text = `
    WITH ${cap}t AS (
      UPDATE tasks SET ${[`status = ${to}::task_status`, 'version = version + 1', `updated_at = ${clock}`, ...effect.set].join(', ')}
       WHERE ${where}
      RETURNING *),
    ev AS (
      INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role, note${stamped})
      SELECT id, ${action}, ${from}::task_status, status, ${actorId}::uuid, ${actorRole}, ${note}${stamp} FROM t),
    ob AS (${taskTransitionedEvents({ action, from, actorId, actorRole, prevAssigneeId: prevAssignee })})${billing}
    ${
      me
        ? `SELECT cap.active_tasks AS cap_active, cap.max_concurrent_tasks AS cap_max, cap.suspended AS cap_suspended, x.*
             FROM cap LEFT JOIN (${taskSelect}) x ON true`
        : taskSelect
    }`;
  return { text, values };
}

/** What a task list may be narrowed to; the scope (organization, assignee) comes from the caller's role. */
export interface TaskFilter {
  organizationId?: string | null;
  assigneeId?: string;
  status?: TaskStatus;
  category?: Category;
  cursor?: Cursor | null;
  limit: number;
}

/** The tasks table: every statement that reads or writes it. */
/** The timers a task's state can call for (the timer sweep queues them). */
export type TimerKind = 'deadline' | 'escalation' | 'claim-expiry' | 'auto-accept' | 'review-reminder';

/**
 * Every timer the tasks' current state calls for that falls due by $1 (a
 * timestamp), with the version its job must name. The same rules as the
 * relay's: a deadline while not yet returned or flagged; escalation half-way
 * from submission to deadline while queued and not escalated; claim expiry a
 * claim window after the claim; auto-accept a review window after the last
 * return (a returned task changes only by leaving `returned`, so `updated_at`
 * is that return). Each branch reads a partial index of open, queued, claimed
 * or returned tasks, never the whole table.
 */
export const DUE_TIMERS_SQL = `
  SELECT 'deadline' AS kind, id, version, deadline AS due FROM tasks
   WHERE status IN (${AWAITING_RETURN_SQL}) AND NOT overdue AND deadline <= $1::timestamptz
  UNION ALL
  SELECT 'escalation', id, version, created_at + (deadline - created_at) / 2 FROM tasks
   WHERE status = 'queued' AND NOT escalated AND created_at + (deadline - created_at) / 2 <= $1::timestamptz
  UNION ALL
  SELECT 'claim-expiry', id, version, claimed_at + $2::float8 * interval '1 millisecond' FROM tasks
   WHERE status = 'claimed' AND claimed_at <= $1::timestamptz - $2::float8 * interval '1 millisecond'
  UNION ALL
  SELECT 'auto-accept', id, version, updated_at + $3::float8 * interval '1 millisecond' FROM tasks
   WHERE status = 'returned' AND updated_at <= $1::timestamptz - $3::float8 * interval '1 millisecond'
  UNION ALL
  SELECT 'review-reminder', id, version, updated_at + ($3::float8 - $4::float8) * interval '1 millisecond' FROM tasks
   WHERE status = 'returned' AND $3::float8 > $4::float8 AND review_reminded_version IS DISTINCT FROM version
     AND updated_at <= $1::timestamptz - ($3::float8 - $4::float8) * interval '1 millisecond'`;


const BEST_FIRST = (alias: string) => `${alias}.priority DESC, ${alias}.deadline ASC, ${alias}.created_at ASC, ${alias}.id ASC`;

/**
 * The board: queued tasks in the skills ($1) the assistant ($3) is qualified
 * for (`qualifiedSql`), best first, at most $2. Each
 * skill reads at most a page of ids from its own stretch of `tasks_queue_idx`
 * (an index-only scan), and only the page's rows are then read, so a page
 * costs the same however long the queue (docs/PERFORMANCE.md#list-indexes).
 * Filtering the whole queue by category read every queued task in the skills.
 */
export const BOARD_SQL = `
  SELECT ${TASK_SELECT}
    FROM (SELECT b.id FROM (SELECT DISTINCT s.category FROM unnest($1::task_category[]) AS s(category)
                             WHERE ${qualifiedSql('$3::uuid', 's.category')}) c
           CROSS JOIN LATERAL (
             SELECT q.id, q.priority, q.deadline, q.created_at FROM tasks q
              WHERE q.status = 'queued' AND q.category = c.category ORDER BY ${BEST_FIRST('q')} LIMIT $2) b
           ORDER BY ${BEST_FIRST('b')} LIMIT $2) page
    JOIN tasks t ON t.id = page.id
   ${TASK_JOINS}
   ORDER BY ${BEST_FIRST('t')}`;

// Tasks per status from the counters the task triggers keep (migration
// 1764002810000-task-status-counts, docs/PERFORMANCE.md#task-status-counters):
// a sum over a fixed number of shard rows, exact in the reader's snapshot, at any size.
export const TASK_STATUS_COUNTS_SQL = `SELECT status, sum(n)::int AS n FROM task_status_counts GROUP BY status`;

@Injectable()
export class TasksRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async byId(id: string, m: Queryable = this.ds): Promise<TaskWithNames | null> {
    const rows = await query<Record<string, unknown>>(m, `SELECT ${TASK_SELECT} FROM tasks t ${TASK_JOINS} WHERE t.id = $1`, [id]);
    return rows[0] ? toTask(rows[0]) : null;
  }

  /** Planned on each call (see TASKS_BY_ID_SQL). */
  async byIds(ids: readonly string[], m: Queryable = this.ds): Promise<TaskWithNames[]> {
    return rowsOf<Record<string, unknown>>(await m.query(TASKS_BY_ID_SQL, [ids])).map(toTask);
  }

  /** Newest first, paged on (created_at, id). */
  async list(f: TaskFilter): Promise<(TaskWithNames & { cursorAt: string })[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    if (f.organizationId !== undefined) where.push(`t.organization_id = ${p(f.organizationId)}`);
    if (f.assigneeId) where.push(`t.assignee_id = ${p(f.assigneeId)}`);
    if (f.status) where.push(`t.status = ${p(f.status)}`);
    if (f.category) where.push(`t.category = ${p(f.category)}`);
    if (f.cursor) where.push(`(t.created_at, t.id) < (${p(f.cursor.at)}::timestamptz, ${p(f.cursor.id)}::uuid)`);
    const rows = rowsOf<Record<string, unknown>>(
      await this.ds.query(
        `SELECT ${TASK_SELECT}, ${cursorColumn('t')} FROM tasks t ${TASK_JOINS}
          ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
          ORDER BY t.created_at DESC, t.id DESC LIMIT ${p(f.limit + 1)}`,
        params,
      ),
    );
    return rows.map((r) => ({ ...toTask(r), cursorAt: r.cursor_at as string }));
  }

  /** Queued work in these skills that the assistant is qualified for, best first. */
  async queued(skills: readonly Category[], limit: number, assistantId: string): Promise<TaskWithNames[]> {
    return rowsOf<Record<string, unknown>>(await this.ds.query(BOARD_SQL, [skills, limit, assistantId])).map(toTask);
  }

  /** Inserts the submissions (SUBMIT_SQL) and answers the rows that went in. */
  async submit(subs: readonly Submission[], m: Queryable = this.ds): Promise<TaskWithNames[]> {
    return (await query<Record<string, unknown>>(m, SUBMIT_SQL, submitParams(subs))).map(toTask);
  }

  /** A tick or untick (CHECKLIST_TICK_SQL): whether the task was held in progress by the assignee, and whether the step changed. */
  async tickChecklist(tick: ChecklistTick, m: Queryable = this.ds): Promise<{ held: boolean; changed: boolean }> {
    const [row] = await query<{ held: boolean; changed: number }>(m, CHECKLIST_TICK_SQL, [tick.taskId, tick.assigneeId, tick.stepId, tick.done, tick.note]);
    return { held: !!row?.held, changed: (row?.changed ?? 0) > 0 };
  }

  /** One move (see `transitionSql`); null when the task moved underneath and nothing was written. */
  async transition(input: TransitionInput, m: Queryable = this.ds): Promise<TaskWithNames | null> {
    const { text, values } = transitionSql(input);
    const [row] = await query<Record<string, unknown>>(m, text, values);
    return row ? toTask(row) : null;
  }

  /** A claim: the move and a slot of the assistant's capacity in one statement; null when the assistant was not found. */
  async claim(input: TransitionInput, assistantId: string, m: Queryable = this.ds): Promise<ClaimOutcome | null> {
    const { text, values } = transitionSql(input, assistantId);
    const [first] = await query<Record<string, unknown> & { cap_active: number; cap_max: number; cap_suspended: boolean }>(m, text, values);
    if (!first) return null;
    const { cap_active, cap_max, cap_suspended, ...row } = first;
    return { row: row.id ? toTask(row) : null, capacity: { active: cap_active, max: cap_max, suspended: cap_suspended } };
  }

  /** claim-next for each request, in order (CLAIM_NEXT_SQL); null for an assistant not found. */
  async claimNext(reqs: readonly { assistantId: string; skills: readonly string[] }[]): Promise<(ClaimOutcome | null)[]> {
    const rows = await query<{ ord: number; cap_active: number; cap_max: number; cap_suspended: boolean; task: Record<string, unknown> | null }>(
      this.ds,
      CLAIM_NEXT_SQL,
      [reqs.map((r) => r.assistantId), reqs.map((r) => r.skills.join(','))],
    );
    const byOrd = new Map(rows.map((r) => [r.ord, r]));
    return reqs.map((_, i) => {
      const r = byOrd.get(i + 1);
      if (!r) return null;
      return { row: r.task ? toTask(r.task) : null, capacity: { active: r.cap_active, max: r.cap_max, suspended: r.cap_suspended } };
    });
  }

  /** Of these task versions, the ones still queued, each with the assistants who can take it now (ANNOUNCE_SQL, planned per call). */
  async announceable(tasks: readonly { taskId: string; version: number }[]): Promise<{ id: string; version: number; eligible: string[] }[]> {
    return rowsOf(await this.ds.query(ANNOUNCE_SQL, [tasks.map((t) => t.taskId), tasks.map((t) => t.version)]));
  }

  /** Tasks per status, and the open ones flagged overdue (or past their deadline) and escalated: the queue-health page. */
  async health(): Promise<{ byStatus: { status: TaskStatus; n: number }[]; overdue: number; escalated: number }> {
    const byStatus = rowsOf<{ status: TaskStatus; n: number }>(await this.ds.query(TASK_STATUS_COUNTS_SQL));
    // Counts of index entries (tasks_open_overdue_idx, tasks_escalated_idx), not of task rows.
    const [flags] = rowsOf<{ overdue: number; escalated: number }>(
      await this.ds.query(
        `SELECT (SELECT count(*)::int FROM tasks WHERE status IN (${AWAITING_RETURN_SQL}) AND overdue)
              + (SELECT count(*)::int FROM tasks WHERE status IN (${AWAITING_RETURN_SQL}) AND NOT overdue AND deadline <= now()) AS overdue,
                (SELECT count(*)::int FROM tasks WHERE status = 'queued' AND escalated) AS escalated`,
      ),
    );
    return { byStatus, overdue: flags!.overdue, escalated: flags!.escalated };
  }

  /** The task's title, for a billing correction's check and view. */
  async title(id: string, m: Queryable = this.ds): Promise<{ id: string; title: string } | null> {
    const [row] = rowsOf<{ id: string; title: string }>(await m.query(`SELECT id, title FROM tasks WHERE id = $1`, [id]));
    return row ?? null;
  }

  /** Every timer due by `until`, with the version its job must name (DUE_TIMERS_SQL). */
  async dueTimers(until: Date, windows: { claimWindowMs: number; reviewWindowMs: number; reviewReminderLeadMs: number }): Promise<{ kind: TimerKind; id: string; version: number; due: Date }[]> {
    return query(this.ds, DUE_TIMERS_SQL, [until, windows.claimWindowMs, windows.reviewWindowMs, windows.reviewReminderLeadMs]);
  }

  /**
   * Marks this returned version's review reminder as sent, once: the task as it is, if it is
   * still returned at this version and its reminder has not gone out; otherwise null.
   */
  async markReviewReminded(taskId: string, version: number, m: Queryable = this.ds): Promise<{ title: string; organizationId: string; returnedAt: Date } | null> {
    const [row] = await query<{ title: string; organization_id: string; updated_at: Date }>(
      m,
      `UPDATE tasks SET review_reminded_version = version
        WHERE id = $1 AND version = $2 AND status = 'returned' AND review_reminded_version IS DISTINCT FROM version
        RETURNING title, organization_id, updated_at`,
      [taskId, version],
    );
    return row ? { title: row.title, organizationId: row.organization_id, returnedAt: row.updated_at } : null;
  }

  /** A page of the tasks made from a template (any version), newest first; `organizationId` null: every organization's. */
  async ofTemplate(templateId: string, organizationId: string | null, cursor: Cursor | null, limit: number): Promise<(TemplateRunRow & { cursorAt: string })[]> {
    const params: unknown[] = [templateId, limit + 1];
    if (organizationId) params.push(organizationId);
    if (cursor) params.push(cursor.at, cursor.id);
    return query<TemplateRunRow & { cursorAt: string }>(this.ds, templateRunsSql(!!organizationId, !!cursor), params);
  }

  /**
   * A template's figures over all time and over the tasks submitted since
   * `since`, in one pass: each task counts toward "all", and toward "recent"
   * too when it is new enough.
   */
  async templateStats(templateId: string, organizationId: string | null, since: Date): Promise<Record<'all' | 'recent', TemplateStatsRow>> {
    const rows = await query<TemplateStatsRow & { window: 'all' | 'recent' }>(this.ds, templateStatsSql(!!organizationId), [
      templateId,
      since,
      ...(organizationId ? [organizationId] : []),
    ]);
    const empty: TemplateStatsRow = { tasks: 0, returned: 0, returnedOnTime: 0, avgSecondsToReturn: null, avgSecondsToAccept: null, accepted: 0, acceptedFirstPass: 0 };
    const pick = (w: 'all' | 'recent') => {
      const { window: _w, ...r } = rows.find((x) => x.window === w) ?? { ...empty, window: w };
      return r;
    };
    return { all: pick('all'), recent: pick('recent') };
  }

  /**
   * A template's tasks per ISO week in a time zone, the `weeks` weeks up to
   * the one holding `asOf`, oldest first, quiet weeks included: submitted
   * (by submission) and returned on time or late (by first return).
   */
  async templateWeeks(templateId: string, organizationId: string | null, timeZone: string, asOf: Date, weeks: number): Promise<TemplateWeekRow[]> {
    return query<TemplateWeekRow>(
      this.ds,
      `WITH span AS (
         SELECT date_trunc('week', $3::timestamptz AT TIME ZONE $2) - ($4::int - 1) * interval '1 week' AS first,
                date_trunc('week', $3::timestamptz AT TIME ZONE $2) AS last),
       mine AS (
         SELECT t.created_at, t.returned_at, t.on_time FROM tasks t, span
          WHERE t.template_id = $1 ${organizationId ? 'AND t.organization_id = $5' : ''}
            AND (t.created_at >= span.first AT TIME ZONE $2 OR t.returned_at >= span.first AT TIME ZONE $2)),
       moments AS (
         SELECT date_trunc('week', created_at AT TIME ZONE $2) AS week, 1 AS submitted, 0 AS on_time, 0 AS late FROM mine
         UNION ALL
         SELECT date_trunc('week', returned_at AT TIME ZONE $2), 0, CASE WHEN on_time THEN 1 ELSE 0 END, CASE WHEN on_time THEN 0 ELSE 1 END
           FROM mine WHERE returned_at IS NOT NULL)
       SELECT to_char(s.week, 'YYYY-MM-DD') AS week,
              coalesce(sum(m.submitted), 0)::int AS submitted, coalesce(sum(m.on_time), 0)::int AS "returnedOnTime", coalesce(sum(m.late), 0)::int AS "returnedLate"
         FROM span, generate_series(span.first, span.last, interval '1 week') AS s(week)
         LEFT JOIN moments m ON m.week = s.week
        GROUP BY s.week ORDER BY s.week`,
      [templateId, timeZone, asOf, weeks, ...(organizationId ? [organizationId] : [])],
    );
  }
}

/** $1 template, $2 limit; $3 organization (when `org`); then the cursor's time and id (when `cursor`). Exported for its query-plan test. */
export function templateRunsSql(org: boolean, cursor: boolean): string {
  const at = org ? 4 : 3;
  return `SELECT t.id, t.title, t.status, t.template_version AS "templateVersion", t.created_at AS "createdAt", t.deadline, t.returned_at AS "returnedAt",
                 t.accepted_at AS "acceptedAt", t.on_time AS "onTime", t.price_cents AS "priceCents", t.currency, t.created_at::text AS "cursorAt"
            FROM tasks t
           WHERE t.template_id = $1 ${org ? 'AND t.organization_id = $3' : ''}
                 ${cursor ? `AND (t.created_at, t.id) < ($${at}::timestamptz, $${at + 1}::uuid)` : ''}
           ORDER BY t.created_at DESC, t.id DESC LIMIT $2`;
}

/** $1 template, $2 the recent window's start, $3 organization (when `org`). Exported for its query-plan test. */
export function templateStatsSql(org: boolean): string {
  return `SELECT w.name AS window,
                 count(t.id)::int AS tasks,
                 count(t.id) FILTER (WHERE t.on_time IS NOT NULL)::int AS returned,
                 count(t.id) FILTER (WHERE t.on_time)::int AS "returnedOnTime",
                 (avg(extract(epoch FROM t.returned_at - t.created_at)) FILTER (WHERE t.returned_at IS NOT NULL))::float8 AS "avgSecondsToReturn",
                 (avg(extract(epoch FROM t.accepted_at - t.created_at)) FILTER (WHERE t.accepted_at IS NOT NULL))::float8 AS "avgSecondsToAccept",
                 count(t.id) FILTER (WHERE t.status = 'accepted')::int AS accepted,
                 -- A revision writes its feedback on the row, so a task without any was accepted as first returned.
                 count(t.id) FILTER (WHERE t.status = 'accepted' AND t.feedback IS NULL)::int AS "acceptedFirstPass"
            FROM (VALUES ('all'), ('recent')) AS w(name)
            LEFT JOIN tasks t ON t.template_id = $1 ${org ? 'AND t.organization_id = $3' : ''} AND (w.name = 'all' OR t.created_at >= $2)
           GROUP BY w.name`;
}

/** One task made from a template, as its process view lists it. */
export interface TemplateRunRow {
  id: string;
  title: string;
  status: TaskStatus;
  templateVersion: number;
  createdAt: Date;
  deadline: Date;
  returnedAt: Date | null;
  acceptedAt: Date | null;
  onTime: boolean | null;
  priceCents: number;
  currency: string;
}

export interface TemplateStatsRow {
  tasks: number;
  returned: number;
  returnedOnTime: number;
  avgSecondsToReturn: number | null;
  avgSecondsToAccept: number | null;
  accepted: number;
  acceptedFirstPass: number;
}

export interface TemplateWeekRow {
  week: string;
  submitted: number;
  returnedOnTime: number;
  returnedLate: number;
}
