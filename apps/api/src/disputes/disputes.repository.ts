import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DisputeOutcome, DisputeStatus, DisputeView } from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { cursorColumn, type Cursor } from '../common/http/pagination.js';
import { rowMapper } from '../database/rows.js';
import { query, type Queryable } from '../database/sql.js';
import { disputeEvents } from '../events/outbox.repository.js';
import { taskNoteSql } from '../tasks/task-events.repository.js';
import { Dispute, type DisputeWithTitle } from './dispute.entity.js';

const toDispute = rowMapper<Dispute, Pick<DisputeWithTitle, 'taskTitle'>>(Dispute, { task_title: 'taskTitle' });

export function toDisputeView(d: DisputeWithTitle): DisputeView {
  return {
    id: d.id,
    taskId: d.taskId,
    taskTitle: d.taskTitle,
    organizationId: d.organizationId,
    assigneeId: d.assigneeId,
    openedBy: d.openedBy,
    reason: d.reason,
    answer: d.answer,
    answeredAt: d.answeredAt?.toISOString() ?? null,
    status: d.status,
    outcome: d.outcome,
    amountCents: d.amountCents,
    note: d.note,
    resolvedBy: d.resolvedBy,
    resolvedAt: d.resolvedAt?.toISOString() ?? null,
    ledgerEntryId: d.ledgerEntryId,
    createdAt: d.createdAt.toISOString(),
  };
}

/** Each statement answers the dispute with its task's title, as every view shows it. */
const WITH_TITLE = `SELECT d.*, t.title AS task_title FROM d JOIN tasks t ON t.id = d.task_id`;

export interface OpenDispute {
  taskId: string;
  organizationId: string;
  assigneeId: string;
  openedBy: string;
  reason: string;
}

export interface Resolution {
  outcome: DisputeOutcome;
  amountCents: number | null;
  note: string;
  resolvedBy: string;
  ledgerEntryId: string | null;
}

/** disputes: every statement on it, each with its domain event (and the answer's history row) in the same statement. */
@Injectable()
export class DisputesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Opened, in the caller's transaction (beside the task's move); a second open one of the task violates `disputes_one_open_idx`. */
  async open(m: EntityManager, o: OpenDispute): Promise<DisputeWithTitle> {
    const [row] = await query<Record<string, unknown>>(
      m,
      `WITH d AS (
         INSERT INTO disputes (task_id, organization_id, assignee_id, opened_by, reason) VALUES ($1, $2, $3, $4, $5) RETURNING *),
       ob AS (${disputeEvents('dispute.opened')})
       ${WITH_TITLE}`,
      [o.taskId, o.organizationId, o.assigneeId, o.openedBy, o.reason],
    );
    return toDispute(row!);
  }

  /** The assignee's answer, once, while open; its history row on the task with it. Null when it was not theirs to give now. */
  async answer(id: string, assigneeId: string, answer: string, m: Queryable = this.ds): Promise<DisputeWithTitle | null> {
    const [row] = await query<Record<string, unknown>>(
      m,
      `WITH d AS (
         UPDATE disputes SET answer = $3, answered_at = now()
          WHERE id = $1 AND assignee_id = $2 AND status = 'open' AND answer IS NULL RETURNING *),
       ev AS (${taskNoteSql({ action: `'dispute_answer'`, status: `'disputed'`, actorId: '$2', actorRole: `'assistant'`, note: '$3' })}),
       ob AS (${disputeEvents('dispute.answered')})
       ${WITH_TITLE}`,
      [id, assigneeId, answer],
    );
    return row ? toDispute(row) : null;
  }

  /**
   * The dispute locked for the caller's transaction if it is still open, else
   * null: two admins resolving at once take turns here, and the second finds it resolved.
   */
  async lockOpen(m: EntityManager, id: string): Promise<Dispute | null> {
    const [row] = await query<Record<string, unknown>>(m, `SELECT * FROM disputes WHERE id = $1 AND status = 'open' FOR UPDATE`, [id]);
    return row ? toDispute(row) : null;
  }

  /** Resolved, in the caller's transaction (which holds `lockOpen`'s lock and made the task's move and any refund). */
  async resolve(m: EntityManager, id: string, r: Resolution): Promise<DisputeWithTitle | null> {
    const [row] = await query<Record<string, unknown>>(
      m,
      `WITH d AS (
         UPDATE disputes SET status = 'resolved', outcome = $2, amount_cents = $3, note = $4, resolved_by = $5, resolved_at = now(), ledger_entry_id = $6
          WHERE id = $1 AND status = 'open' RETURNING *),
       ob AS (${disputeEvents('dispute.resolved')})
       ${WITH_TITLE}`,
      [id, r.outcome, r.amountCents, r.note, r.resolvedBy, r.ledgerEntryId],
    );
    return row ? toDispute(row) : null;
  }

  async byId(id: string, m: Queryable = this.ds): Promise<DisputeWithTitle | null> {
    const [row] = await query<Record<string, unknown>>(m, `WITH d AS (SELECT * FROM disputes WHERE id = $1) ${WITH_TITLE}`, [id]);
    return row ? toDispute(row) : null;
  }

  async byIds(ids: readonly string[], m: Queryable = this.ds): Promise<DisputeWithTitle[]> {
    return (await query<Record<string, unknown>>(m, `WITH d AS (SELECT * FROM disputes WHERE id = ANY($1::uuid[])) ${WITH_TITLE}`, [ids])).map(toDispute);
  }

  /** A task's disputes, newest first. */
  async forTask(taskId: string): Promise<DisputeWithTitle[]> {
    return (await query<Record<string, unknown>>(this.ds, `WITH d AS (SELECT * FROM disputes WHERE task_id = $1) ${WITH_TITLE} ORDER BY d.created_at DESC, d.id DESC`, [taskId])).map(
      toDispute,
    );
  }

  /** Open ones oldest first (the admins' queue), resolved ones newest first; paged on (created_at, id). */
  async page(status: DisputeStatus, cursor: Cursor | null, limit: number): Promise<(DisputeWithTitle & { cursorAt: string })[]> {
    const open = status === 'open';
    const cmp = open ? '>' : '<';
    const dir = open ? 'ASC' : 'DESC';
    const rows = await query<Record<string, unknown>>(
      this.ds,
      `WITH d AS (
         SELECT * FROM disputes WHERE status = $1 ${cursor ? `AND (created_at, id) ${cmp} ($3::timestamptz, $4::uuid)` : ''}
          ORDER BY created_at ${dir}, id ${dir} LIMIT $2)
       SELECT d.*, t.title AS task_title, ${cursorColumn('d')} FROM d JOIN tasks t ON t.id = d.task_id ORDER BY d.created_at ${dir}, d.id ${dir}`,
      [status, limit + 1, ...(cursor ? [cursor.at, cursor.id] : [])],
    );
    return rows.map((r) => ({ ...toDispute(r), cursorAt: r.cursor_at as string }));
  }
}
