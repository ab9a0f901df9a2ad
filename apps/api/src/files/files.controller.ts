import { Delete, Get, HttpCode, NotFoundException, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import { FILE_PURPOSES, fileDownloadQuery, fileLink, fileList, fileView, idParams, type FileDownloadQuery } from '@handoff/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Public } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { downloadHeaders } from './file-names.js';
import { FilesService } from './files.service.js';
import { ObjectNotFoundError } from './storage/object-storage.js';

const NOT_YOURS = { 404: 'no such task or file, or not one you take part in' };

@ApiTags('files')
@ApiBearerAuth()
@GuardedController('tasks')
export class TaskFilesController {
  constructor(private readonly files: FilesService) {}

  @Post(':id/files')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['purpose', 'file'],
      properties: {
        purpose: { type: 'string', enum: [...FILE_PURPOSES] },
        messageId: { type: 'string', format: 'uuid', description: 'the message the file goes with (purpose message only)' },
        file: { type: 'string', format: 'binary', description: 'one file, after the text fields' },
      },
    },
  })
  @Contract({
    summary:
      'Add a file to the task (multipart: purpose, messageId when purpose is message, then the file). Streamed to storage; its type is sniffed from the bytes and must be on the allow-list, its name is sanitized',
    params: idParams,
    response: fileView,
    status: 201,
    errors: {
      ...NOT_YOURS,
      403: 'attachments are the organization’s, result files the assignee’s, a message’s files its author’s',
      409: 'the task is not in a state that takes this purpose (the body names its status)',
      413: 'the file is larger than FILE_MAX_BYTES (code file_too_large) or the organization’s files would pass FILE_ORG_QUOTA_BYTES (code quota_exceeded)',
      415: 'the bytes are not of an allowed type, or the name’s extension is not the type’s (code names which)',
    },
  })
  upload(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Req() req: FastifyRequest) {
    return this.files.upload(user, p.id, req);
  }

  @Get(':id/files')
  @Contract({ summary: 'The task’s files, oldest first', params: idParams, response: fileList, errors: NOT_YOURS })
  list(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.files.list(user, p.id);
  }
}

@ApiTags('files')
@ApiBearerAuth()
@GuardedController('files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Public()
  @Get('download')
  @ApiProduces('application/octet-stream')
  @Contract({
    summary: 'The file a signed link names, streamed (no bearer token: the link is the credential, and its holder must still take part in the task). Content-Disposition is attachment for all but raster images',
    query: fileDownloadQuery,
    errors: { 403: 'the link is forged (code link_invalid) or expired (code link_expired)', 404: 'the file is gone, or its holder no longer takes part in the task' },
  })
  async download(@Input('query') q: FileDownloadQuery, @Res() reply: FastifyReply) {
    try {
      const { file, object } = await this.files.download(q.token);
      return reply.status(200).headers(downloadHeaders(file.name, file.contentType, object.size)).send(object.stream);
    } catch (e) {
      if (e instanceof ObjectNotFoundError) throw new NotFoundException('file not found');
      throw e;
    }
  }

  @Get(':id/link')
  @Contract({ summary: 'A short-lived signed link to download the file (DOWNLOAD_LINK_TTL, 5 minutes by default)', params: idParams, response: fileLink, errors: NOT_YOURS })
  link(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.files.link(user, p.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @Contract({
    summary: 'Delete a file you uploaded, while you could still add it; its bytes are removed from storage. Deleting it again answers the same',
    params: idParams,
    status: 204,
    errors: { ...NOT_YOURS, 403: 'only whoever uploaded it', 409: 'the task has moved past where that purpose is allowed' },
  })
  async delete(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }): Promise<void> {
    await this.files.delete(user, p.id);
  }
}
