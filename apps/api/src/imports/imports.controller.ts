import { BadRequestException, Get, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import { createImportBody, idParams, importView } from '@handoff/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, describeZodError, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { ImportsService, jsonSource } from './imports.service.js';
import { spoolUpload } from './upload.js';

const READ = { 403: 'assistants', 404: 'not found or not yours' };

@ApiTags('imports')
@ApiBearerAuth()
@GuardedController('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post()
  @Roles('client')
  @ApiConsumes('application/json', 'multipart/form-data')
  @Contract({
    summary:
      'Upload rows against a template (multipart: the field templateId, then the CSV as the field file; or JSON { templateId, csv | rows }): every row checked and stored, nothing created yet. The same bytes again answer the same import (200)',
    body: createImportBody,
    response: importView,
    status: 201,
    errors: { 403: 'only clients import', 413: 'the file is larger than 16 MiB' },
  })
  async upload(@CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (req.isMultipart()) {
      const { templateId, source, done } = await spoolUpload(req);
      try {
        const { view, created } = await this.imports.create(user, templateId, source);
        if (!created) void reply.status(200);
        return view;
      } finally {
        await done();
      }
    }
    const parsed = createImportBody.safeParse(req.body);
    if (!parsed.success) throw new BadRequestException(describeZodError(parsed.error, 'body', req.body));
    const { view, created } = await this.imports.create(user, parsed.data.templateId, jsonSource(parsed.data));
    if (!created) void reply.status(200);
    return view;
  }

  @Get(':id')
  @Roles('client', 'admin')
  @Contract({ summary: 'An import: its counts, where its run stands, and its first rows with their errors', params: idParams, response: importView, errors: READ })
  get(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.imports.get(user, p.id);
  }

  @Post(':id/confirm')
  @Roles('client')
  @Contract({
    summary: 'Turn the valid rows into tasks, in the workers: answers at once (running); progress is GET and the import.progress live event. Confirming again creates nothing twice',
    params: idParams,
    response: importView,
    status: 202,
    errors: { 403: 'only the organization’s clients', 404: 'not found or not yours' },
  })
  confirm(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.imports.confirm(user, p.id);
  }

  @Get(':id/report')
  @Roles('client', 'admin')
  @ApiProduces('text/csv')
  @Contract({ summary: 'The rejected rows as CSV: row number, the cells as uploaded, the errors', params: idParams, errors: READ })
  async report(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Res() reply: FastifyReply) {
    const { im, body } = await this.imports.report(user, p.id);
    return reply
      .status(200)
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="handoff-import-${im.id}-rejected.csv"`)
      .header('cache-control', 'no-store')
      .send(body);
  }
}
