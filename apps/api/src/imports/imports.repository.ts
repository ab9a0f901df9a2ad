import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { query, type Queryable } from '../database/sql.js';
import { IMPORT_PROGRESSED_EVENTS } from '../events/outbox.repository.js';
import { Import } from './import.entity.js';

const toImport = rowMapper(Import);

export interface NewImport {
  id: string;
  organizationId: string;
  createdBy: string;
  templateId: string;
  templateVersionId: string;
  templateVersion: number;
  columns: string[];
}

const PENDING = `EXISTS (SELECT 1 FROM import_rows r WHERE r.import_id = imports.id AND r.errors IS NULL AND r.task_id IS NULL)`;

/** The `imports` table: one row per uploaded file, its counts and where its run stands. */
@Injectable()
export class ImportsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(m: Queryable, v: NewImport): Promise<void> {
    await query(
      m,
      `INSERT INTO imports (id, organization_id, created_by, template_id, template_version_id, template_version, columns) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [v.id, v.organizationId, v.createdBy, v.templateId, v.templateVersionId, v.templateVersion, JSON.stringify(v.columns)],
    );
  }

  /** Every row is in: the counts, and the digest whose unique key makes a second upload of the same bytes fail here. */
  async seal(m: Queryable, id: string, v: { sha256: string; total: number; valid: number; rejected: number }): Promise<Import> {
    const [row] = await query<Record<string, unknown>>(m, `UPDATE imports SET content_sha256 = $2, total = $3, valid = $4, rejected = $5 WHERE id = $1 RETURNING *`, [
      id,
      v.sha256,
      v.total,
      v.valid,
      v.rejected,
    ]);
    return toImport(row!);
  }

  async findById(id: string, m: Queryable = this.ds): Promise<Import | null> {
    const [row] = await query<Record<string, unknown>>(m, `SELECT * FROM imports WHERE id = $1 AND content_sha256 IS NOT NULL`, [id]);
    return row ? toImport(row) : null;
  }

  async findByContent(organizationId: string, templateId: string, sha256: string, m: Queryable = this.ds): Promise<Import | null> {
    const [row] = await query<Record<string, unknown>>(m, `SELECT * FROM imports WHERE organization_id = $1 AND template_id = $2 AND content_sha256 = $3`, [
      organizationId,
      templateId,
      sha256,
    ]);
    return row ? toImport(row) : null;
  }

  async byIds(ids: readonly string[], m: Queryable = this.ds): Promise<Import[]> {
    if (!ids.length) return [];
    return (await query<Record<string, unknown>>(m, `SELECT * FROM imports WHERE id = ANY($1::uuid[])`, [ids])).map(toImport);
  }

  /** Preview → running, once: null when it was confirmed already (or is not an import). */
  async start(id: string): Promise<Import | null> {
    const [row] = await query<Record<string, unknown>>(
      this.ds,
      `WITH im AS (UPDATE imports SET status = 'running', confirmed_at = now() WHERE id = $1 AND status = 'preview' AND content_sha256 IS NOT NULL RETURNING *),
            ob AS (${IMPORT_PROGRESSED_EVENTS})
       SELECT * FROM im`,
      [id],
    );
    return row ? toImport(row) : null;
  }

  /** `n` more tasks made, in the transaction that made them. */
  async advance(m: Queryable, id: string, n: number): Promise<void> {
    await query(m, `WITH im AS (UPDATE imports SET created = created + $2 WHERE id = $1 RETURNING *), ob AS (${IMPORT_PROGRESSED_EVENTS}) SELECT 1 FROM im`, [id, n]);
  }

  /** Rows turned rejected while it ran (a deadline that passed before its turn). */
  async rejectMore(m: Queryable, id: string, n: number): Promise<void> {
    await query(m, `UPDATE imports SET valid = valid - $2, rejected = rejected + $2 WHERE id = $1`, [id, n]);
  }

  /** Running → done once no valid row is left without its task; null while some are (another run holds them). */
  async finish(id: string): Promise<Import | null> {
    const [row] = await query<Record<string, unknown>>(
      this.ds,
      `WITH im AS (UPDATE imports SET status = 'done', finished_at = now() WHERE id = $1 AND status = 'running' AND NOT ${PENDING} RETURNING *),
            ob AS (${IMPORT_PROGRESSED_EVENTS})
       SELECT * FROM im`,
      [id],
    );
    return row ? toImport(row) : null;
  }

  /** Running → failed, for a reason no retry mends. */
  async fail(id: string, error: string): Promise<void> {
    await query(
      this.ds,
      `WITH im AS (UPDATE imports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status = 'running' RETURNING *),
            ob AS (${IMPORT_PROGRESSED_EVENTS})
       SELECT 1 FROM im`,
      [id, error],
    );
  }
}
