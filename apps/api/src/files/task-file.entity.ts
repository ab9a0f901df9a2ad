import { FILE_PURPOSES, type FilePurpose } from '@handoff/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A file on a task; its bytes live in the object store under `storageKey`. */
@Entity({ name: 'task_files' })
export class TaskFile {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId: string;

  /** The task's organization, whose quota the file counts against. */
  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'uploaded_by', type: 'uuid' })
  uploadedBy: string;

  @Column({ type: 'text', enum: FILE_PURPOSES })
  purpose: FilePurpose;

  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId: string | null;

  @Column({ name: 'storage_key', type: 'text' })
  storageKey: string;

  /** Sanitized (file-names.ts). */
  @Column({ type: 'text' })
  name: string;

  /** Sniffed from the bytes (file-types.ts). */
  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ type: 'bigint' })
  size: number;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
