import { Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { idParams, templateProcess, templateRunPage, templateRunsQuery, type TemplateRunsQuery } from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { ProcessService } from './process.service.js';

const READ = { 403: 'assistants do not see templates', 404: 'not found or not yours' };

@ApiTags('templates')
@ApiBearerAuth()
@GuardedController('templates')
export class ProcessController {
  constructor(private readonly process: ProcessService) {}

  @Get(':id/process')
  @Roles('client', 'admin')
  @Contract({
    summary: 'How a template’s tasks (every version) have gone: counts, on-time and first-pass rates, turnaround over 30 days and all time; this month’s spend; the last 12 ISO weeks. A client sees its organization’s tasks; months and weeks in its time zone',
    params: idParams,
    response: templateProcess,
    errors: READ,
  })
  view(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.process.process(user, p.id);
  }

  @Get(':id/runs')
  @Roles('client', 'admin')
  @Contract({ summary: 'The runs of a template: the tasks made from it (every version), newest first. A client sees its organization’s', params: idParams, query: templateRunsQuery, response: templateRunPage, errors: READ })
  runs(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('query') q: TemplateRunsQuery) {
    return this.process.runs(user, p.id, q);
  }
}
