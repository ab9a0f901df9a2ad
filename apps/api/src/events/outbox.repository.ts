import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { query, rowsOf } from '../database/sql.js';
import { OutboxRow } from './outbox.entity.js';

const toOutboxRow = rowMapper(OutboxRow);

/** A `$n` placeholder of the statement a fragment is composed into. */
export type Placeholder = `$${number}`;

// The events' rows, as fragments of the statements that commit the changes (DomainEvents names their payloads).

/** `task.submitted` for each row of the CTE `t` (just inserted tasks). */
export const TASK_SUBMITTED_EVENTS = `
  INSERT INTO outbox (topic, payload)
  SELECT 'task.submitted', jsonb_build_object('taskId', id, 'version', version, 'actor', jsonb_build_object('id', created_by, 'role', 'client')) FROM t`;

/** `task.transitioned` for each row of the CTE `t` (just moved tasks), the move's values in these placeholders. */
export function taskTransitionedEvents(v: { action: Placeholder; from: Placeholder; actorId: Placeholder; actorRole: Placeholder; prevAssigneeId: Placeholder }): string {
  return `
  INSERT INTO outbox (topic, payload)
  SELECT 'task.transitioned', jsonb_build_object('taskId', id, 'version', version, 'action', ${v.action}::text, 'from', ${v.from}::text, 'to', status,
         'actor', jsonb_build_object('id', ${v.actorId}::uuid, 'role', ${v.actorRole}::text), 'prevAssigneeId', ${v.prevAssigneeId}::uuid) FROM t`;
}

/** `task.checklist_ticked` for each step of the CTE `s` (just ticked or unticked) of a task of the CTE `t`. */
export function checklistTickedEvents(v: { done: Placeholder; actorId: Placeholder }): string {
  return `
  INSERT INTO outbox (topic, payload)
  SELECT 'task.checklist_ticked', jsonb_build_object('taskId', t.id, 'stepId', s.step_id, 'done', ${v.done}::boolean,
         'actor', jsonb_build_object('id', ${v.actorId}::uuid, 'role', 'assistant')) FROM t JOIN s ON s.task_id = t.id`;
}

/** `ledger.recorded` for each entry the named CTEs (of a ledger insert … RETURNING id) wrote. */
export function ledgerRecordedEvents(ctes: readonly ('charge' | 'payout' | 'e')[]): string {
  return `
  INSERT INTO outbox (topic, payload)
  SELECT 'ledger.recorded', jsonb_build_object('entryId', id) FROM (${ctes.map((c) => `SELECT id FROM ${c}`).join(' UNION ALL ')}) entries`;
}

/** `message.posted` for each row of the CTE `m` (just inserted messages). */
export const MESSAGE_POSTED_EVENTS = `
  INSERT INTO outbox (topic, payload)
  SELECT 'message.posted', jsonb_build_object('messageId', id, 'taskId', task_id, 'version', version) FROM m`;

/** `message.changed` for each row of the CTE `m` (just edited or deleted messages). */
export const MESSAGE_CHANGED_EVENTS = `
  INSERT INTO outbox (topic, payload)
  SELECT 'message.changed', jsonb_build_object('messageId', id, 'taskId', task_id, 'version', version, 'deleted', deleted_at IS NOT NULL) FROM m`;

/** `rating.recorded` for each row of the CTE `r` (a rating just given or changed). */
export const RATING_RECORDED_EVENTS = `
  INSERT INTO outbox (topic, payload)
  SELECT 'rating.recorded', jsonb_build_object('taskId', task_id, 'revision', revision) FROM r`;

/** `budget.threshold_crossed` for each row of the CTE `n` (a notice just recorded), its amounts from the CTE `x`. */
export const BUDGET_THRESHOLD_EVENTS = `
  INSERT INTO outbox (topic, payload)
  SELECT 'budget.threshold_crossed', jsonb_build_object('organizationId', n.organization_id,
         'templateId', CASE WHEN n.scope_id = n.organization_id THEN NULL ELSE n.scope_id END, 'month', n.month, 'thresholdPct', n.threshold_pct,
         'monthlyCents', x.monthly_cents, 'committedCents', x.committed_cents)
    FROM n JOIN x ON x.scope_id = n.scope_id AND x.threshold_pct = n.threshold_pct`;
/** `import.progressed` for each row of the CTE `im` (an import just moved on). */
export const IMPORT_PROGRESSED_EVENTS = `
  INSERT INTO outbox (topic, payload)
  SELECT 'import.progressed', jsonb_build_object('importId', id, 'created', created, 'status', status) FROM im`;
/** `schedule.paused` for each row of the CTE `s` (schedules just paused by a refused run of `scheduledAt`). */
export function schedulePausedEvents(scheduledAt: Placeholder): string {
  return `
  INSERT INTO outbox (topic, payload)
  SELECT 'schedule.paused', jsonb_build_object('scheduleId', id, 'scheduledAt', ${scheduledAt}::text, 'reason', paused_reason) FROM s`;
}

/** `dispute.opened`, `dispute.answered` or `dispute.resolved` for each row of the CTE `d` (a dispute just written). */
export function disputeEvents(name: 'dispute.opened' | 'dispute.answered' | 'dispute.resolved'): string {
  const outcome = name === 'dispute.resolved' ? `, 'outcome', outcome` : '';
  return `
  INSERT INTO outbox (topic, payload)
  SELECT '${name}', jsonb_build_object('disputeId', id, 'taskId', task_id${outcome}) FROM d`;
}

/** `webhook.disabled` for each row of CTE `e` that the statement turned off. */
export function webhookDisabledEvents(): string {
  return `
  INSERT INTO outbox (topic, payload)
  SELECT 'webhook.disabled', jsonb_build_object('endpointId', id, 'reason', disabled_reason) FROM e WHERE disabled`;
}

/**
 * The outbox table. Rows are written by the statements that commit a change
 * (tasks, ledger); this reads, counts and deletes them.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The oldest rows no other relay holds, locked for the caller's transaction. */
  async lockBatch(m: EntityManager, limit: number): Promise<OutboxRow[]> {
    return (await query<Record<string, unknown>>(m, `SELECT id, topic, payload, created_at FROM outbox ORDER BY id LIMIT ${Number(limit)} FOR UPDATE SKIP LOCKED`)).map(
      toOutboxRow,
    );
  }

  async delete(m: EntityManager, ids: readonly string[]): Promise<void> {
    await query(m, `DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /** Rows not relayed yet. */
  async pending(): Promise<number> {
    const [row] = rowsOf<{ n: number }>(await this.ds.query(`SELECT count(*)::int AS n FROM outbox`));
    return row?.n ?? 0;
  }
}
