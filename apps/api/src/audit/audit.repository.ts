import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { cursorColumn, type Cursor } from '../common/http/pagination.js';
import { rowsOf } from '../database/sql.js';
import type { AuditEntry } from './audit.js';
import type { AuditRecord } from './audit.schemas.js';

export interface TrailFilter {
  actorId?: string;
  action?: string;
  actionPrefix?: string;
  from?: string;
  to?: string;
  cursor?: Cursor | null;
  limit: number;
}

/** A trail record as read: the record with its time as a Date, and the cursor's microseconds. */
export type TrailRow = Omit<AuditRecord, 'createdAt'> & { createdAt: Date; cursorAt: string };

/** audit_log (append-only), and the merged trail the admin reads. */
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

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Record an admin action through the manager of the transaction that makes
   * the change, so the change and its record commit or roll back together.
   */
  async record(m: EntityManager | undefined, actor: Pick<AuthUser, 'id' | 'role'>, entry: AuditEntry): Promise<void> {
    await (m ?? this.ds.manager).query(`INSERT INTO audit_log (actor_id, actor_role, action, target_type, target_id, details) VALUES ($1, $2, $3, $4, $5, $6)`, [
      actor.id,
      actor.role,
      entry.action,
      entry.targetType,
      entry.targetId,
      JSON.stringify(entry.details),
    ]);
  }

  /** Newest first, paged on (created_at, id). */
  async trail(f: TrailFilter): Promise<TrailRow[]> {
    const rows = rowsOf<{
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
    }>(
      await this.ds.query(
        AUDIT_PAGE_SQL,
        [f.actorId ?? null, f.action ?? null, f.actionPrefix ?? null, f.from ?? null, f.to ?? null, f.cursor?.at ?? null, f.cursor?.id ?? null, f.limit + 1],
      ),
    );
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      cursorAt: r.cursor_at,
      actorId: r.actor_id,
      actorRole: r.actor_role,
      actorName: r.actor_name,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      details: r.details,
    }));
  }
}
