import { Get, Headers, Patch, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import {
  createTemplateBody,
  idParams,
  listQuery,
  listTemplatesQuery,
  previewTemplateBody,
  templateBudgetBody,
  templatePage,
  templatePreview,
  templateVersionPage,
  templateVersionParams,
  templateVersionView,
  templateView,
  updateTemplateBody,
  type CreateTemplateBody,
  type ListQuery,
  type ListTemplatesQuery,
  type PreviewTemplateBody,
  type TemplateBudgetBody,
  type UpdateTemplateBody,
} from '@handoff/contracts';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { IdempotencyService, isReplayed } from '../common/http/idempotency.js';
import { TemplatesService } from './templates.service.js';

const READ = { 403: 'assistants do not see templates', 404: 'not found or not yours' };
const WRITE = { 403: 'assistants; clients on a starter; admins on an organization’s template', 404: 'not found or not yours' };

@ApiTags('templates')
@ApiBearerAuth()
@GuardedController('templates')
export class TemplatesController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Get()
  @Roles('client', 'admin')
  @Contract({ summary: 'The process library: your organization’s templates and the starters (client), or all (admin)', query: listTemplatesQuery, response: templatePage, errors: READ })
  list(@CurrentUser() user: AuthUser, @Input('query') q: ListTemplatesQuery) {
    return this.templates.list(user, q);
  }

  @Post()
  @Roles('client', 'admin')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'the same key within 24 h returns the first answer and creates nothing new' })
  @Contract({
    summary: 'Create a template (version 1): your organization’s (client) or a starter shared with every organization (admin)',
    body: createTemplateBody,
    response: templateView,
    status: 201,
    errors: { 403: 'assistants', 409: 'an active starter of that category exists (admin)', 422: 'the Idempotency-Key was used for another request' },
  })
  async create(
    @CurrentUser() user: AuthUser,
    @Input('body') body: CreateTemplateBody,
    @Headers('idempotency-key') rawKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = IdempotencyService.validateKey(rawKey);
    if (!key) return this.templates.create(user, body);
    const result = await this.idempotency.run(user.id, key, body, 201, (m) => this.templates.create(user, body, m));
    if (!isReplayed(result)) return result;
    void reply.status(result.statusCode).header('idempotent-replayed', 'true');
    return result.body;
  }

  @Get(':id')
  @Roles('client', 'admin')
  @Contract({ summary: 'A template with its current version', params: idParams, response: templateView, errors: READ })
  get(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.templates.get(user, p.id);
  }

  @Patch(':id')
  @Roles('client', 'admin')
  @Contract({
    summary: 'Edit a template: the fields given, over the current version, become a new version',
    params: idParams,
    body: updateTemplateBody,
    response: templateView,
    errors: { ...WRITE, 409: 'archived, baseVersion is not the current version, or the starter category is taken' },
  })
  update(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: UpdateTemplateBody) {
    return this.templates.update(user, p.id, body);
  }

  @Post(':id/archive')
  @Roles('client', 'admin')
  @Contract({ summary: 'Archive a template: offered for no new task; its versions stay readable', params: idParams, response: templateView, errors: { ...WRITE, 409: 'archived already' } })
  archive(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.templates.setArchived(user, p.id, true);
  }

  @Post(':id/unarchive')
  @Roles('client', 'admin')
  @Contract({ summary: 'Offer an archived template again', params: idParams, response: templateView, errors: { ...WRITE, 409: 'not archived, or the starter category is taken' } })
  unarchive(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.templates.setArchived(user, p.id, false);
  }

  @Put(':id/budget')
  @Roles('client', 'admin')
  @Contract({
    summary: 'Set (or with null remove) the template’s own monthly budget, within the organization’s; owners and admins',
    params: idParams,
    body: templateBudgetBody,
    response: templateView,
    errors: { 403: 'not an owner of the organization (or an assistant)', 404: 'not found or not yours', 422: 'a starter template takes no budget' },
  })
  setBudget(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: TemplateBudgetBody) {
    return this.templates.setBudget(user, p.id, body);
  }

  @Get(':id/versions')
  @Roles('client', 'admin')
  @Contract({ summary: 'Every version of a template, newest first', params: idParams, query: listQuery, response: templateVersionPage, errors: READ })
  versions(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('query') q: ListQuery) {
    return this.templates.listVersions(user, p.id, q);
  }

  @Get(':id/versions/:versionId')
  @Roles('client', 'admin')
  @Contract({ summary: 'One version of a template, exactly as it was made', params: templateVersionParams, response: templateVersionView, errors: READ })
  version(@CurrentUser() user: AuthUser, @Input('params') p: { id: string; versionId: string }) {
    return this.templates.getVersion(user, p.id, p.versionId);
  }

  @Post(':id/preview')
  @Roles('client')
  @Contract({
    summary: 'What a task from this template would get: inputs checked, price and deadline in your organization’s hours; creates nothing',
    params: idParams,
    body: previewTemplateBody,
    response: templatePreview,
    errors: { 403: 'only clients submit tasks', 404: 'not found or not yours', 409: 'archived' },
  })
  preview(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: PreviewTemplateBody) {
    return this.templates.preview(user, p.id, body);
  }
}
