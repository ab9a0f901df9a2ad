import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ImportStatus } from '@handoff/contracts';

/** A file of rows uploaded against a template version; its rows are `import_rows`. */
@Entity({ name: 'imports' })
export class Import {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'template_id', type: 'uuid' })
  templateId: string;

  @Column({ name: 'template_version_id', type: 'uuid' })
  templateVersionId: string;

  @Column({ name: 'template_version', type: 'int' })
  templateVersion: number;

  /** SHA-256 (hex) of the bytes uploaded; null only while the rows are still going in. */
  @Column({ name: 'content_sha256', type: 'text', nullable: true })
  contentSha256: string | null;

  /** The header row as it was read. */
  @Column({ type: 'jsonb' })
  columns: string[];

  @Column({ type: 'text' })
  status: ImportStatus;

  @Column({ type: 'int' })
  total: number;

  @Column({ type: 'int' })
  valid: number;

  @Column({ type: 'int' })
  rejected: number;

  @Column({ type: 'int' })
  created: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
