import { Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { auditPage, auditQuery, type AuditQuery } from './audit.schemas.js';
import { AuditService } from './audit.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@GuardedController('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit')
  @Contract({
    summary: 'Who did what and when, newest first: admin actions, every task transition, billing corrections (admin)',
    query: auditQuery,
    response: auditPage,
  })
  list(@Input('query') q: AuditQuery) {
    return this.audit.list(q);
  }
}
