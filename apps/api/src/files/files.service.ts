import { randomUUID } from 'node:crypto';
import { ForbiddenException, HttpException, HttpStatus, Inject, Injectable, Logger, NotFoundException, PayloadTooLargeException, type OnModuleDestroy } from '@nestjs/common';
import type { FileLink, FileList, FilePurpose, FileRef, FileView } from '@handoff/contracts';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user.js';
import { StateConflict } from '../common/http/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { TaskMessagesRepository } from '../conversations/task-messages.repository.js';
import type { TaskWithNames } from '../tasks/task.entity.js';
import { TasksService } from '../tasks/tasks.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { DownloadLinks, downloadLinkKey } from './download-links.js';
import { toFileRef, toFileView } from './file.view.js';
import { sanitizeFileName } from './file-names.js';
import { checkUpload } from './file-types.js';
import { ObjectSizeError, type ObjectStorage, type StoredObject } from './storage/object-storage.js';
import type { TaskFile } from './task-file.entity.js';
import { TaskFilesRepository } from './task-files.repository.js';
import { openUpload, tooLarge, uploadError } from './upload.js';

export const FILE_STORAGE = Symbol('FILE_STORAGE');

/** A task past these takes no new attachments: its work is over. */
const CLOSED = new Set(['accepted', 'cancelled']);

/**
 * Files on tasks. Whoever takes part in the task (its organization, admins,
 * the assignee while assigned: `TasksService.loadParticipating`) lists and
 * downloads them; everyone else gets 404. Who may add one depends on its
 * purpose (`assertMayAdd`). Bytes stream from the request to the store,
 * counted and hashed on the way; the row is written only once they are all there.
 */
@Injectable()
export class FilesService implements OnModuleDestroy {
  private readonly links: DownloadLinks;
  private readonly logger = new Logger('files');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_STORAGE) private readonly storage: ObjectStorage,
    private readonly files: TaskFilesRepository,
    private readonly tasks: TasksService,
    private readonly messages: TaskMessagesRepository,
    private readonly users: UsersRepository,
  ) {
    this.links = new DownloadLinks(downloadLinkKey(config.jwtSecret));
  }

  async onModuleDestroy(): Promise<void> {
    await this.storage.close();
  }

  async upload(user: AuthUser, taskId: string, req: FastifyRequest): Promise<FileView> {
    const task = await this.tasks.loadParticipating(user, taskId);
    const used = await this.files.usedBytes(task.organizationId);
    const left = this.config.fileOrgQuotaBytes - used;
    if (left <= 0) {
      // Read nothing: the refusal does not depend on the file.
      throw this.overQuota(used);
    }
    // The stream stops at whichever limit comes first; which one it was decides the answer.
    const maxBytes = Math.min(this.config.fileMaxBytes, left);
    const incoming = await openUpload(req, maxBytes);
    const { purpose, messageId } = incoming.fields;
    try {
      await this.assertMayAdd(user, task, purpose, messageId ?? null);
    } catch (e) {
      incoming.discard();
      throw e;
    }
    const name = sanitizeFileName(incoming.filename);
    const check = await checkUpload(name, incoming.head);
    if (!check.ok) {
      incoming.discard();
      throw new HttpException({ statusCode: 415, error: 'Unsupported Media Type', message: `file: ${check.message}`, code: check.reason }, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
    }
    const id = randomUUID();
    const storageKey = `orgs/${task.organizationId}/tasks/${task.id}/${id}`;
    let stored: { size: number; sha256: string };
    try {
      stored = await this.storage.put(storageKey, incoming.body(), { contentType: check.type.mime, maxBytes });
    } catch (e) {
      incoming.discard();
      if (e instanceof ObjectSizeError && e.reason === 'too_large') throw maxBytes < this.config.fileMaxBytes ? this.overQuota(used) : tooLarge(this.config.fileMaxBytes);
      const mapped = uploadError(e, this.config.fileMaxBytes);
      if (mapped instanceof PayloadTooLargeException && maxBytes < this.config.fileMaxBytes) throw this.overQuota(used);
      throw mapped;
    }
    const outcome = await this.files
      .insertWithinQuota(
        { id, taskId: task.id, organizationId: task.organizationId, uploadedBy: user.id, purpose, messageId: messageId ?? null, storageKey, name, contentType: check.type.mime, size: stored.size, sha256: stored.sha256 },
        this.config.fileOrgQuotaBytes,
      )
      .catch(async (e: unknown) => {
        await this.removeObject(storageKey);
        throw e;
      });
    if (!outcome.ok) {
      // Another upload of the organization took the room while this one streamed.
      await this.removeObject(storageKey);
      throw this.overQuota(outcome.usedBytes);
    }
    return toFileView(outcome.file);
  }

  async list(user: AuthUser, taskId: string): Promise<FileList> {
    await this.tasks.loadParticipating(user, taskId);
    return { items: (await this.files.forTask(taskId)).map(toFileView) };
  }

  /**
   * A short-lived link to the file. It names the file and the caller, and the
   * download checks again that the caller still takes part in the task, so an
   * assistant released from it cannot use a link made before.
   */
  async link(user: AuthUser, fileId: string): Promise<FileLink> {
    await this.readable(user, fileId);
    const now = Date.now();
    const token = this.links.signDownload(`${fileId}:${user.id}`, this.config.downloadLinkTtlMs, now);
    const verified = this.links.verifyDownload(token, now);
    const expiresAt = verified.ok ? verified.expiresAt : new Date(now + this.config.downloadLinkTtlMs);
    return { url: `/api/files/download?token=${encodeURIComponent(token)}`, expiresAt: expiresAt.toISOString() };
  }

  /** The file a signed link names, if the link holds and its holder may still read the task. */
  async download(token: string): Promise<{ file: TaskFile; object: StoredObject }> {
    const verified = this.links.verifyDownload(token);
    if (!verified.ok) {
      const expired = verified.reason === 'expired';
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: expired ? 'token: the download link has expired; ask for a new one' : 'token: not a valid download link',
        code: expired ? 'link_expired' : 'link_invalid',
      });
    }
    const [fileId, userId] = verified.subject.split(':') as [string, string | undefined];
    const user = userId ? await this.users.byId(userId) : null;
    if (!user || user.suspended) throw new NotFoundException('file not found');
    const caller: AuthUser = {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      organizationId: user.organizationId,
      orgRole: user.orgRole ?? null,
      skills: user.skills,
      maxConcurrentTasks: user.maxConcurrentTasks,
    };
    const file = await this.readable(caller, fileId);
    return { file, object: await this.storage.get(file.storageKey) };
  }

  /**
   * The uploader removes a file while the rule that let them add it still
   * holds. Deleting it again answers the same (it is gone either way).
   */
  async delete(user: AuthUser, fileId: string): Promise<void> {
    const file = await this.files.byId(fileId, { withDeleted: true });
    if (!file) throw new NotFoundException('file not found');
    const task = await this.participating(user, file.taskId);
    if (file.uploadedBy !== user.id) throw new ForbiddenException('only whoever uploaded a file may delete it');
    if (file.deletedAt) return;
    await this.assertMayAdd(user, task, file.purpose, file.messageId);
    const gone = await this.files.markDeleted(fileId);
    if (gone) await this.storage.delete(gone.storageKey);
  }

  /**
   * Deletes every file of a task, rows and bytes: what deleting a task's
   * content (a retention run) calls. Answers how many files went.
   */
  async deleteTaskContent(taskId: string): Promise<number> {
    const gone = await this.files.markTaskDeleted(taskId);
    for (const f of gone) await this.storage.delete(f.storageKey);
    return gone.length;
  }

  /** The files of these messages, by message, for the conversation's view. */
  async refsForMessages(messageIds: readonly string[]): Promise<Map<string, FileRef[]>> {
    const out = new Map<string, FileRef[]>();
    for (const f of await this.files.forMessages(messageIds)) {
      const list = out.get(f.messageId!) ?? [];
      list.push(toFileRef(f));
      out.set(f.messageId!, list);
    }
    return out;
  }

  private async readable(user: AuthUser, fileId: string): Promise<TaskFile> {
    const file = await this.files.byId(fileId);
    if (!file) throw new NotFoundException('file not found');
    await this.participating(user, file.taskId);
    return file;
  }

  /** The file's task, if the caller takes part in it; a file's 404 otherwise, so it says nothing of the task. */
  private async participating(user: AuthUser, taskId: string): Promise<TaskWithNames> {
    try {
      return await this.tasks.loadParticipating(user, taskId);
    } catch (e) {
      if (e instanceof NotFoundException) throw new NotFoundException('file not found');
      throw e;
    }
  }

  /**
   * Attachments are the client organization's while the task is open; result
   * files the assignee's while it is in progress; a message's files its author's.
   */
  private async assertMayAdd(user: AuthUser, task: TaskWithNames, purpose: FilePurpose, messageId: string | null): Promise<void> {
    switch (purpose) {
      case 'attachment':
        if (user.role !== 'client') throw new ForbiddenException('attachments are added by the task’s organization');
        if (CLOSED.has(task.status)) throw new StateConflict(`the task is ${task.status}; it takes no more attachments`, task.status);
        return;
      case 'result':
        if (user.role !== 'assistant' || task.assigneeId !== user.id) throw new ForbiddenException('result files are added by the assistant working the task');
        if (task.status !== 'in_progress') throw new StateConflict(`result files are added while the task is in progress; it is ${task.status.replace('_', ' ')}`, task.status);
        return;
      case 'message': {
        const message = messageId ? await this.messages.byId(task.id, messageId) : null;
        if (!message || message.deletedAt) throw new NotFoundException('messageId: no such message on this task');
        if (message.authorId !== user.id) throw new ForbiddenException('files are attached to a message by its author');
        return;
      }
    }
  }

  private overQuota(used: number): PayloadTooLargeException {
    const quota = this.config.fileOrgQuotaBytes;
    return new PayloadTooLargeException({
      statusCode: 413,
      error: 'Payload Too Large',
      message: `the organization's files would pass its quota of ${quota} bytes (${used} used)`,
      code: 'quota_exceeded',
      quotaBytes: quota,
      usedBytes: used,
    });
  }

  private async removeObject(key: string): Promise<void> {
    await this.storage.delete(key).catch((e: unknown) => this.logger.warn(`object ${key} left behind: ${String(e)}`));
  }
}
