import { BadRequestException, Injectable } from '@nestjs/common';
import type { Page } from '@handoff/contracts';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { AuditRepository } from './audit.repository.js';
import type { AuditQuery, AuditRecord } from './audit.schemas.js';

@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  async list(q: AuditQuery): Promise<Page<AuditRecord>> {
    if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw new BadRequestException('from must be before to');
    const prefix = q.action?.endsWith('*') ? q.action.slice(0, -1) : undefined;
    const rows = await this.audit.trail({
      actorId: q.actorId,
      action: prefix === undefined ? q.action : undefined,
      actionPrefix: prefix,
      from: q.from,
      to: q.to,
      cursor: decodeCursor(q.cursor),
      limit: q.limit,
    });
    return toPage(
      rows,
      q.limit,
      ({ cursorAt: _, createdAt, ...r }) => ({ ...r, createdAt: createdAt.toISOString() }),
      (r) => ({ at: r.cursorAt, id: r.id }),
    );
  }
}
