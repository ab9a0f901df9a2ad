import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';

/** The admins' audit trail. Writing it is `recordAudit`, a step inside each admin action's own transaction, so it needs no provider. */
@Module({ imports: [GuardsModule], controllers: [AuditController], providers: [AuditService] })
export class AuditModule {}
