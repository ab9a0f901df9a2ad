import { cursorColumn } from '../common/http/pagination.js';

// One trail from three sources, each written in the transaction of what it records:
// admin actions (audit_log), task transitions (task_events, `task.<action>`) and the
// billing corrections admins make (ledger refunds and adjustments, `billing.<kind>`).
//
// A page is a k-way merge: each source reads at most a page, newest first, from its
// own (created_at, id) index, and only those rows are merged and joined to their
// actors, so the first page costs the same however long the trail
// (docs/PERFORMANCE.md#audit-trail-merge). The filters apply in every source.
// $1 actor, $2 exact action, $3 action prefix, $4 from, $5 to, $6/$7 cursor, $8 page size + 1.

const FILTERS = (alias: string, action: string) => `
      WHERE ($1::uuid IS NULL OR ${alias}.actor_id = $1)
        AND ($2::text IS NULL OR ${action} = $2)
        AND ($3::text IS NULL OR starts_with(${action}, $3))
        AND ($4::timestamptz IS NULL OR ${alias}.created_at >= $4)
        AND ($5::timestamptz IS NULL OR ${alias}.created_at < $5)
        AND ($6::timestamptz IS NULL OR (${alias}.created_at, ${alias}.id) < ($6, $7::uuid))`;

const NEWEST = (alias: string) => `ORDER BY ${alias}.created_at DESC, ${alias}.id DESC LIMIT $8`;

export const AUDIT_PAGE_SQL = `
  SELECT t.*, ${cursorColumn('t')}, u.name AS actor_name FROM (
    (SELECT a.id, a.created_at, a.actor_id, a.actor_role, a.action, a.target_type, a.target_id, a.details
       FROM audit_log a ${FILTERS('a', 'a.action')} ${NEWEST('a')})
    UNION ALL
    (SELECT e.id, e.created_at, e.actor_id, e.actor_role, 'task.' || e.action, 'task', e.task_id::text,
            jsonb_strip_nulls(jsonb_build_object('from', e.from_status, 'to', e.to_status, 'note', e.note))
       FROM task_events e ${FILTERS('e', `'task.' || e.action`)} ${NEWEST('e')})
    UNION ALL
    (SELECT l.id, l.created_at, l.actor_id, 'admin', 'billing.' || l.kind, 'task', l.task_id::text,
            jsonb_build_object('organizationId', l.organization_id, 'amountCents', l.amount_cents, 'currency', trim(l.currency), 'reason', l.reason)
       FROM (SELECT *, created_by AS actor_id FROM ledger_entries WHERE kind IN ('refund', 'adjustment')) l
       ${FILTERS('l', `'billing.' || l.kind`)} ${NEWEST('l')})
  ) t LEFT JOIN users u ON u.id = t.actor_id
  ORDER BY t.created_at DESC, t.id DESC
  LIMIT $8`;
