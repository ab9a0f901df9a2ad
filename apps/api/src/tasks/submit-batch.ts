import type { AuthUser } from '../common/auth/auth-user.js';
import { PRIORITY_MULTIPLIER_BPS, type CreateTaskBody } from '@handoff/contracts';
import { randomUUID } from 'node:crypto';

/**
 * Submissions, any number in one statement: each task at the price the rate
 * card gives now, with its submit event and its outbox row. The ids are made
 * here, so each caller finds its own row; a task whose category has no rate
 * is not inserted and has no row back. Exported so the bench can run the
 * API's own statement without the API around it.
 */
export const SUBMIT_SQL = `
  WITH i AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::task_category[], $6::text[], $7::task_priority[], $8::timestamptz[], $9::int[])
      AS i(id, organization_id, created_by, title, category, instructions, priority, deadline, multiplier_bps)),
  t AS (
    INSERT INTO tasks (id, organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency)
    SELECT i.id, i.organization_id, i.created_by, i.title, i.instructions, i.category, i.priority, i.deadline,
           (r.base_price_cents::bigint * i.multiplier_bps + 5000) / 10000, r.currency
      FROM i JOIN rate_card r ON r.category = i.category
    RETURNING *),
  ev AS (
    INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role)
    SELECT id, 'submit', NULL, status, created_by, 'client' FROM t),
  ob AS (
    INSERT INTO outbox (topic, payload)
    SELECT 'task', jsonb_build_object('taskId', id, 'version', version, 'action', 'submit', 'from', NULL, 'to', status) FROM t)
  SELECT t.*, NULL AS assignee_name, o.name AS organization_name FROM t JOIN organizations o ON o.id = t.organization_id`;

export interface Submission {
  id: string;
  organizationId: string;
  createdBy: string;
  body: CreateTaskBody;
}

export function submission(user: Pick<AuthUser, 'organizationId' | 'id'>, body: CreateTaskBody): Submission {
  return { id: randomUUID(), organizationId: user.organizationId!, createdBy: user.id, body };
}

/** SUBMIT_SQL's parameters: one array per column, one entry per submission. */
export function submitParams(subs: readonly Submission[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 9 }, () => []);
  for (const s of subs) {
    const b = s.body;
    const row = [s.id, s.organizationId, s.createdBy, b.title, b.category, b.instructions, b.priority, b.deadline, PRIORITY_MULTIPLIER_BPS[b.priority]];
    for (let k = 0; k < row.length; k++) cols[k]!.push(row[k]);
  }
  return cols;
}
