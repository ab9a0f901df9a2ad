import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { advisoryXactLock, query, rowsOf, type Queryable } from '../database/sql.js';
import { TaskFile } from './task-file.entity.js';

const toFile = rowMapper<TaskFile>(TaskFile);

export type NewTaskFile = Omit<TaskFile, 'createdAt' | 'deletedAt'>;

export type InsertOutcome = { ok: true; file: TaskFile } | { ok: false; usedBytes: number };

/** task_files: the files on tasks, live and deleted. */
@Injectable()
export class TaskFilesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Bytes of the organization's live files. */
  async usedBytes(organizationId: string, m: Queryable = this.ds): Promise<number> {
    const [row] = await query<{ used: number }>(m, `SELECT COALESCE(sum(size), 0)::bigint AS used FROM task_files WHERE organization_id = $1 AND deleted_at IS NULL`, [organizationId]);
    return row?.used ?? 0;
  }

  /**
   * Records a stored file if the organization's live files and it fit the
   * quota. Uploads of one organization take its lock in turn, so two that
   * each fit alone cannot both pass together.
   */
  async insertWithinQuota(file: NewTaskFile, quotaBytes: number): Promise<InsertOutcome> {
    return this.ds.transaction(async (m) => {
      await advisoryXactLock(m, `task-files-quota:${file.organizationId}`);
      const used = await this.usedBytes(file.organizationId, m);
      if (used + file.size > quotaBytes) return { ok: false, usedBytes: used };
      const rows = rowsOf<Record<string, unknown>>(
        await m.query(
          `INSERT INTO task_files (id, task_id, organization_id, uploaded_by, purpose, message_id, storage_key, name, content_type, size, sha256)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
          [file.id, file.taskId, file.organizationId, file.uploadedBy, file.purpose, file.messageId, file.storageKey, file.name, file.contentType, file.size, file.sha256],
        ),
      );
      return { ok: true, file: toFile(rows[0]!) };
    });
  }

  /** A live file, or also a deleted one when asked. */
  async byId(id: string, { withDeleted = false } = {}, m: Queryable = this.ds): Promise<TaskFile | null> {
    const [row] = await query<Record<string, unknown>>(m, `SELECT * FROM task_files WHERE id = $1 AND ($2 OR deleted_at IS NULL)`, [id, withDeleted]);
    return row ? toFile(row) : null;
  }

  /** The task's live files, oldest first. */
  async forTask(taskId: string, m: Queryable = this.ds): Promise<TaskFile[]> {
    return (await query<Record<string, unknown>>(m, `SELECT * FROM task_files WHERE task_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`, [taskId])).map(toFile);
  }

  /** The live files of these messages, oldest first. */
  async forMessages(messageIds: readonly string[], m: Queryable = this.ds): Promise<TaskFile[]> {
    if (messageIds.length === 0) return [];
    return (await query<Record<string, unknown>>(m, `SELECT * FROM task_files WHERE message_id = ANY($1::uuid[]) AND deleted_at IS NULL ORDER BY created_at, id`, [messageIds])).map(toFile);
  }

  /** Marks a live file deleted; null when it already was (or never existed). */
  async markDeleted(id: string, m: Queryable = this.ds): Promise<TaskFile | null> {
    const rows = rowsOf<Record<string, unknown>>(await m.query(`UPDATE task_files SET deleted_at = clock_timestamp() WHERE id = $1 AND deleted_at IS NULL RETURNING *`, [id]));
    return rows[0] ? toFile(rows[0]) : null;
  }

  /** Marks every live file of the task deleted and answers them (their objects are the caller's to remove). */
  async markTaskDeleted(taskId: string, m: Queryable = this.ds): Promise<TaskFile[]> {
    return rowsOf<Record<string, unknown>>(await m.query(`UPDATE task_files SET deleted_at = clock_timestamp() WHERE task_id = $1 AND deleted_at IS NULL RETURNING *`, [taskId])).map(toFile);
  }
}
