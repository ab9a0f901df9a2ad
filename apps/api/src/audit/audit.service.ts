import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Page } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { cursorColumn, decodeCursor, toPage } from '../common/http/pagination.js';
import type { AuditQuery, AuditRecord } from './audit.schemas.js';

interface Row {
  id: string;
  created_at: Date;
  cursor_at: string;
  actor_id: string | null;
  actor_role: string;
  actor_name: string | null;
  action: string;
  target_type: string;
  target_id: string;
  details: Record<string, unknown>;
}

// One trail from three sources, each written in the transaction of what it records:
// admin actions (audit_log), task transitions (task_events, `task.<action>`) and the
// billing corrections admins make (ledger refunds and adjustments, `billing.<kind>`).
const TRAIL = `
  SELECT a.id, a.created_at, a.actor_id, a.actor_role, a.action, a.target_type, a.target_id, a.details
    FROM audit_log a
  UNION ALL
  SELECT e.id, e.created_at, e.actor_id, e.actor_role, 'task.' || e.action, 'task', e.task_id::text,
         jsonb_strip_nulls(jsonb_build_object('from', e.from_status, 'to', e.to_status, 'note', e.note))
    FROM task_events e
  UNION ALL
  SELECT l.id, l.created_at, l.created_by, 'admin', 'billing.' || l.kind, 'task', l.task_id::text,
         jsonb_build_object('organizationId', l.organization_id, 'amountCents', l.amount_cents, 'currency', trim(l.currency), 'reason', l.reason)
    FROM ledger_entries l
   WHERE l.kind IN ('refund', 'adjustment')`;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(q: AuditQuery): Promise<Page<AuditRecord>> {
    if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw new BadRequestException('from must be before to');
    const cursor = decodeCursor(q.cursor);
    const action = q.action?.endsWith('*') ? { exact: null, prefix: q.action.slice(0, -1) } : { exact: q.action ?? null, prefix: null };
    const rows: Row[] = await this.ds.query(
      `SELECT t.*, ${cursorColumn('t')}, u.name AS actor_name FROM (${TRAIL}) t LEFT JOIN users u ON u.id = t.actor_id
        WHERE ($1::uuid IS NULL OR t.actor_id = $1)
          AND ($2::text IS NULL OR t.action = $2)
          AND ($3::text IS NULL OR starts_with(t.action, $3))
          AND ($4::timestamptz IS NULL OR t.created_at >= $4)
          AND ($5::timestamptz IS NULL OR t.created_at < $5)
          AND ($6::timestamptz IS NULL OR (t.created_at, t.id) < ($6, $7::uuid))
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT $8`,
      [q.actorId ?? null, action.exact, action.prefix, q.from ?? null, q.to ?? null, cursor?.at ?? null, cursor?.id ?? null, q.limit + 1],
    );
    return toPage(
      rows,
      q.limit,
      (r) => ({
        id: r.id,
        createdAt: r.created_at.toISOString(),
        actorId: r.actor_id,
        actorRole: r.actor_role,
        actorName: r.actor_name,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        details: r.details,
      }),
      (r) => ({ at: r.cursor_at, id: r.id }),
    );
  }
}
