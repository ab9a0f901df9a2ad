import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { LEDGER_CORRECTIONS_TRAIL } from '../billing/ledger.repository.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { cursorColumn, type Cursor } from '../common/http/pagination.js';
import { rowsOf } from '../database/sql.js';
import { TASK_EVENTS_TRAIL } from '../tasks/task-events.repository.js';
import type { AuditEntry } from './audit.js';
import type { AuditRecord } from './audit.schemas.js';

/**
 * One trail from three sources, each written in the transaction of what it records:
 * admin actions (audit_log), task transitions and billing corrections, each
 * read by a fragment its own table's repository owns.
 */
const TRAIL = `
  SELECT a.id, a.created_at, a.actor_id, a.actor_role, a.action, a.target_type, a.target_id, a.details
    FROM audit_log a
  UNION ALL ${TASK_EVENTS_TRAIL}
  UNION ALL ${LEDGER_CORRECTIONS_TRAIL}`;

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
        `SELECT t.*, ${cursorColumn('t')}, u.name AS actor_name FROM (${TRAIL}) t LEFT JOIN users u ON u.id = t.actor_id
          WHERE ($1::uuid IS NULL OR t.actor_id = $1)
            AND ($2::text IS NULL OR t.action = $2)
            AND ($3::text IS NULL OR starts_with(t.action, $3))
            AND ($4::timestamptz IS NULL OR t.created_at >= $4)
            AND ($5::timestamptz IS NULL OR t.created_at < $5)
            AND ($6::timestamptz IS NULL OR (t.created_at, t.id) < ($6, $7::uuid))
          ORDER BY t.created_at DESC, t.id DESC
          LIMIT $8`,
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
