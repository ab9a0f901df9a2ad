import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Page } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { AUDIT_PAGE_SQL } from './audit-trail.js';
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

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(q: AuditQuery): Promise<Page<AuditRecord>> {
    if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw new BadRequestException('from must be before to');
    const cursor = decodeCursor(q.cursor);
    const action = q.action?.endsWith('*') ? { exact: null, prefix: q.action.slice(0, -1) } : { exact: q.action ?? null, prefix: null };
    const rows: Row[] = await this.ds.query(
      AUDIT_PAGE_SQL,
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
