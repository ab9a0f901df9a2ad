import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  CATEGORY_LABELS,
  PRIORITIES,
  planTransition,
  type CreateTaskBody,
  type ListTasksQuery,
  type Page,
  type TaskAction,
  type TaskView,
} from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict, UnprocessableRule } from '../common/http/errors.js';
import { cursorColumn, decodeCursor, toPage } from '../common/http/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { query } from '../database/sql.js';
import { OutboxRelay } from '../dispatch/outbox.relay.js';
import { GroupCommit } from '../database/group-commit.js';
import { BOARD_SQL } from './board-query.js';
import { SUBMIT_SQL, submission, submitParams, type Submission } from './submit-batch.js';
import { TASK_JOINS, TASK_SELECT, taskRowFromJson, toTaskView, type TaskEventRow, type TaskRow } from './task-row.js';
import { runClaimTransition, runTransition, type ClaimOutcome, type TransitionInput } from './transition.js';

export type UserAction = Exclude<TaskAction, 'claim' | 'expire' | 'auto_accept'>;

/** Best first: priority, then the earliest deadline, then age (the board and claim-next). */
export const QUEUE_ORDER = `priority DESC, deadline ASC, created_at ASC, id ASC`;

/**
 * claim-next's pick: the first queued task in the skills ($1), in queue order, passing over rows
 * other claims hold. `handoff_claim_next` runs it for each assistant (written out in its
 * migration); `bench/explain.mjs` shows its plan from here.
 */
export const CLAIM_NEXT_PICK = `SELECT id FROM tasks WHERE status = 'queued' AND category = ANY($1::task_category[]) ORDER BY ${QUEUE_ORDER} LIMIT 1 FOR UPDATE SKIP LOCKED`;

/**
 * claim-next for many assistants at once ($1 their ids, $2 their skills, comma-joined), in
 * that order: CLAIM_NEXT_PICK and the claim `claimInput` describes, for each, in one call
 * (migration 1764001500000-claim-next-batch). One row per assistant found, `ord` from 1.
 */
export const CLAIM_NEXT_SQL = `SELECT ord, cap_active, cap_max, cap_suspended, task FROM handoff_claim_next($1::uuid[], $2::text[])`;

/** A claim of `target` by the assistant: one conditional statement that also takes a slot of their capacity. */
export function claimInput(assistantId: string, target: TransitionInput['target']): TransitionInput {
  return {
    target,
    action: 'claim',
    from: 'queued',
    to: 'claimed',
    actor: { id: assistantId, role: 'assistant' },
    set: { assignee_id: ':me', claimed_at: 'now()' },
    params: { me: assistantId },
  };
}

@Injectable()
export class TasksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxRelay,
  ) {}

  /**
   * Insert the task at the price the rate card gives now, with its event and
   * outbox row. On its own, with the submissions around it in one statement;
   * inside a caller's transaction (an idempotent submit), alone in it.
   */
  async submit(user: AuthUser, body: CreateTaskBody, m: EntityManager = this.ds.manager): Promise<TaskView> {
    const sub = submission(user, body);
    const row = m === this.ds.manager ? await this.submissions.add(sub) : (await this.insertSubmissions([sub], m))[0];
    if (!row) throw new UnprocessableRule(`there is no rate for ${body.category}; ask an admin to set one`);
    return toTaskView(row);
  }

  /** Submissions commit together; a task whose category has no rate gets no row, and its caller undefined. */
  private readonly submissions = new GroupCommit<Submission, TaskRow | undefined>(async (subs) => {
    const rows = await this.insertSubmissions(subs, this.ds.manager);
    this.outbox.kick();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return subs.map((s) => byId.get(s.id));
  });

  private async insertSubmissions(subs: Submission[], m: EntityManager): Promise<TaskRow[]> {
    return query<TaskRow>(m, SUBMIT_SQL, submitParams(subs));
  }

  /** Submissions and claim-next calls handed in and not answered yet (a test waits for all it sent to be gathered). */
  pending(): { submissions: number; claims: number } {
    return { submissions: this.submissions.size, claims: this.claims.size };
  }

  /** Relay what a caller-owned transaction committed. */
  afterCommit(): void {
    this.outbox.kick();
  }

  async list(user: AuthUser, q: ListTasksQuery): Promise<Page<TaskView>> {
    const cursor = decodeCursor(q.cursor);
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    if (user.role === 'client') where.push(`t.organization_id = ${p(user.organizationId)}`);
    if (user.role === 'assistant') where.push(`t.assignee_id = ${p(user.id)}`);
    if (q.status) where.push(`t.status = ${p(q.status)}`);
    if (q.category) where.push(`t.category = ${p(q.category)}`);
    if (cursor) where.push(`(t.created_at, t.id) < (${p(cursor.at)}::timestamptz, ${p(cursor.id)}::uuid)`);
    const rows: (TaskRow & { cursor_at: string })[] = await this.ds.query(
      `SELECT ${TASK_SELECT}, ${cursorColumn('t')} FROM tasks t ${TASK_JOINS}
        ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY t.created_at DESC, t.id DESC LIMIT ${p(q.limit + 1)}`,
      params,
    );
    return toPage(rows, q.limit, (r) => toTaskView(r), (r) => ({ at: r.cursor_at, id: r.id }));
  }

  /** Queued work in the assistant's skills, best first. */
  async available(user: AuthUser, limit: number): Promise<Page<TaskView>> {
    const rows: TaskRow[] = await this.ds.query(
      BOARD_SQL,
      [user.skills, limit],
    );
    return { items: rows.map((r) => toTaskView(r)), nextCursor: null };
  }

  private async load(id: string, m: EntityManager = this.ds.manager): Promise<TaskRow | null> {
    const rows = await query<TaskRow>(m, `SELECT ${TASK_SELECT} FROM tasks t ${TASK_JOINS} WHERE t.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Who may see a task: its organization, its assignee, assistants while it is queued in their skills, admins. */
  private readable(user: AuthUser, row: TaskRow | null): row is TaskRow {
    if (!row) return false;
    switch (user.role) {
      case 'admin':
        return true;
      case 'client':
        return row.organization_id === user.organizationId;
      case 'assistant':
        return row.assignee_id === user.id || (row.status === 'queued' && user.skills.includes(row.category));
    }
  }

  private async loadReadable(user: AuthUser, id: string): Promise<TaskRow> {
    const row = await this.load(id);
    if (!this.readable(user, row)) throw new NotFoundException('task not found');
    return row;
  }

  async get(user: AuthUser, id: string): Promise<TaskView> {
    const row = await this.loadReadable(user, id);
    const events: TaskEventRow[] = await this.ds.query(`SELECT * FROM task_events WHERE task_id = $1 ORDER BY created_at, id`, [id]);
    return toTaskView(row, events);
  }

  private conflict(row: TaskRow, message: string): never {
    throw new StateConflict(message, row.status, { version: row.version });
  }

  async claim(user: AuthUser, id: string): Promise<TaskView> {
    const row = await this.load(id);
    if (!row) throw new NotFoundException('task not found');
    const hasSkill = user.skills.includes(row.category);
    if (row.status !== 'queued' && row.assignee_id !== user.id) {
      // Only an assistant who could have seen it queued learns that it was taken; to anyone else it does not exist.
      if (hasSkill) this.conflict(row, `the task is already ${row.status.replace('_', ' ')}`);
      throw new NotFoundException('task not found');
    }
    if (!hasSkill) throw new UnprocessableRule(`${CATEGORY_LABELS[row.category]} is not one of your skills`);
    if (row.status !== 'queued') this.conflict(row, `you already hold this task; it is ${row.status.replace('_', ' ')}`);
    const claimed = await this.claimTransition(user, { id });
    if (!claimed) {
      const now = await this.load(id);
      this.conflict(now ?? row, 'another assistant claimed it first');
    }
    this.outbox.kick();
    return toTaskView(claimed);
  }

  /** The best queued task for this assistant, claimed; null when there is none. */
  async claimNext(user: AuthUser): Promise<TaskView | null> {
    if (!user.skills.length) throw new UnprocessableRule('you have no skills yet; ask an admin to add some');
    const claimed = this.checkClaim(await this.claims.add({ assistantId: user.id, skills: user.skills }));
    return claimed ? toTaskView(claimed) : null;
  }

  /** claim-next calls commit together: one call of the claiming function for all the assistants waiting. */
  private readonly claims = new GroupCommit<{ assistantId: string; skills: readonly string[] }, ClaimOutcome | null>(async (reqs) => {
    const rows = await query<{ ord: number; cap_active: number; cap_max: number; cap_suspended: boolean; task: Record<string, unknown> | null }>(
      this.ds,
      CLAIM_NEXT_SQL,
      [reqs.map((r) => r.assistantId), reqs.map((r) => r.skills.join(','))],
    );
    if (rows.some((r) => r.task)) this.outbox.kick();
    const byOrd = new Map(rows.map((r) => [r.ord, r]));
    return reqs.map((_, i) => {
      const r = byOrd.get(i + 1);
      if (!r) return null;
      return { row: r.task ? taskRowFromJson(r.task) : null, capacity: { active: r.cap_active, max: r.cap_max, suspended: r.cap_suspended } };
    });
  });

  /** The claim itself, with the capacity check in the same statement; null when the target was not there to take. */
  private async claimTransition(user: AuthUser, target: TransitionInput['target']): Promise<TaskRow | null> {
    return this.checkClaim(await runClaimTransition(this.ds.manager, claimInput(user.id, target), user.id));
  }

  /** A claim's outcome as the caller hears it: the row, or why there is none (null alone: nothing to take). */
  private checkClaim(result: ClaimOutcome | null): TaskRow | null {
    if (!result || result.capacity.suspended) throw new ForbiddenException('the account is suspended');
    const { row, capacity } = result;
    if (!row && capacity.active >= capacity.max) {
      throw new UnprocessableRule(`you already hold ${capacity.active} active task(s), your capacity is ${capacity.max}`);
    }
    return row;
  }

  /** start, release, return, accept, revise, cancel (claims have their own path): checked against the state machine, then one conditional update. */
  async act(user: AuthUser, id: string, action: UserAction, input: { result?: string; feedback?: string } = {}): Promise<TaskView> {
    const row = await this.loadReadable(user, id);
    const plan = planTransition(action, { role: user.role, userId: user.id, organizationId: user.organizationId }, {
      status: row.status,
      organizationId: row.organization_id,
      assigneeId: row.assignee_id,
    });
    if (!plan.ok) {
      if (plan.reason === 'forbidden') throw new ForbiddenException(plan.message);
      this.conflict(row, plan.message);
    }
    const spec: TransitionInput = {
      target: { id },
      action,
      from: plan.from,
      to: plan.to,
      actor: { id: user.id, role: user.role },
      previousAssigneeId: row.assignee_id,
      ...ACTION_EFFECTS[action](input, this.config),
    };
    if (action === 'start' || action === 'release' || action === 'return') spec.assigneeId = user.id;
    const next = await runTransition(this.ds.manager, spec);
    if (!next) {
      const now = await this.load(id);
      this.conflict(now ?? row, `the task changed to ${(now ?? row).status.replace('_', ' ')} before this could happen`);
    }
    this.outbox.kick();
    return toTaskView(next);
  }

  /** Timer-driven moves; a stale version or state makes them a no-op. */
  async systemTransition(taskId: string, action: 'expire' | 'auto_accept', version: number): Promise<TaskRow | null> {
    const from = action === 'expire' ? 'claimed' : 'returned';
    const to = action === 'expire' ? 'queued' : 'accepted';
    const current = await this.load(taskId);
    if (!current || current.status !== from || current.version !== version) return null;
    const next = await runTransition(this.ds.manager, {
      target: { id: taskId },
      action,
      from,
      to,
      actor: { id: null, role: 'system' },
      note: action === 'expire' ? 'not started within the claim window' : 'not reviewed within the review window',
      previousAssigneeId: current.assignee_id,
      extraWhere: 'version = :version',
      params: { version },
      set: action === 'expire' ? { assignee_id: 'NULL', claimed_at: 'NULL' } : { accepted_at: 'now()' },
    });
    if (next) this.outbox.kick();
    return next;
  }

  /** Deadline passed and not yet returned: flag it (a version bump, so screens update). */
  async markOverdue(taskId: string): Promise<TaskRow | null> {
    const current = await this.load(taskId);
    if (!current || !['queued', 'claimed', 'in_progress'].includes(current.status) || current.overdue) return null;
    const next = await runTransition(this.ds.manager, {
      target: { id: taskId },
      action: 'overdue',
      from: current.status,
      to: current.status,
      actor: { id: null, role: 'system' },
      note: 'the deadline passed before the work came back',
      previousAssigneeId: current.assignee_id,
      extraWhere: 'NOT overdue AND deadline <= now()',
      set: { overdue: 'true' },
    });
    if (next) this.outbox.kick();
    return next;
  }

  /** Queued and unclaimed past half its time: raise the priority one step and tell admins. */
  async escalate(taskId: string): Promise<TaskRow | null> {
    const current = await this.load(taskId);
    if (!current || current.status !== 'queued' || current.escalated) return null;
    const nextPriority = PRIORITIES[Math.min(PRIORITIES.indexOf(current.priority) + 1, PRIORITIES.length - 1)]!;
    const next = await runTransition(this.ds.manager, {
      target: { id: taskId },
      action: 'escalate',
      from: 'queued',
      to: 'queued',
      actor: { id: null, role: 'system' },
      note: `unclaimed past half its time; priority ${current.priority} → ${nextPriority}`,
      extraWhere: 'NOT escalated',
      set: { escalated: 'true', priority: ':priority::task_priority' },
      params: { priority: nextPriority },
    });
    if (next) this.outbox.kick();
    return next;
  }
}

// Exported for the demo seed, whose history goes through the same moves.
export const ACTION_EFFECTS: Record<UserAction, (input: { result?: string; feedback?: string }, config: AppConfig) => Partial<TransitionInput>> = {
  start: () => ({ set: { started_at: 'COALESCE(started_at, now())' } }),
  release: () => ({ set: { assignee_id: 'NULL', claimed_at: 'NULL' } }),
  return: (input, config) => ({
    // onTime is fixed at the first return and never recomputed.
    set: { result: ':result', returned_at: 'COALESCE(returned_at, now())', on_time: 'COALESCE(on_time, now() <= deadline)' },
    params: { result: input.result },
    bill: { feeBps: config.platformFeeBps },
  }),
  accept: () => ({ set: { accepted_at: 'now()' } }),
  revise: (input) => ({ set: { feedback: ':feedback' }, params: { feedback: input.feedback }, note: input.feedback }),
  cancel: () => ({ set: { cancelled_at: 'now()', assignee_id: 'NULL' } }),
};
