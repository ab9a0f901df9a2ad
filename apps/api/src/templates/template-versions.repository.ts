import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { TemplateVersion } from './template-version.entity.js';

const COLUMNS = `id, template_id AS "templateId", version, name, category, default_priority AS "defaultPriority", instructions,
  checklist, inputs, deadline_rule AS "deadlineRule", created_by AS "createdBy", created_at AS "createdAt"`;

/** All SQL of the `template_versions` table: insert and read, never change (a trigger refuses it). */
@Injectable()
export class TemplateVersionsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(m: EntityManager, v: Omit<TemplateVersion, 'createdAt'>): Promise<TemplateVersion> {
    const rows: TemplateVersion[] = await m.query(
      `INSERT INTO template_versions (id, template_id, version, name, category, default_priority, instructions, checklist, inputs, deadline_rule, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11) RETURNING ${COLUMNS}`,
      [v.id, v.templateId, v.version, v.name, v.category, v.defaultPriority, v.instructions, JSON.stringify(v.checklist), JSON.stringify(v.inputs), JSON.stringify(v.deadlineRule), v.createdBy],
    );
    return rows[0]!;
  }

  /** A version of this template by its id; null when it is another template's. */
  async findById(templateId: string, id: string, m: EntityManager = this.ds.manager): Promise<TemplateVersion | null> {
    const rows: TemplateVersion[] = await m.query(`SELECT ${COLUMNS} FROM template_versions WHERE id = $1 AND template_id = $2`, [id, templateId]);
    return rows[0] ?? null;
  }

  /** Newest first, below `before` when given, one more than `limit` when there is more. */
  async list(templateId: string, before: number | null, limit: number): Promise<TemplateVersion[]> {
    return this.ds.query(
      `SELECT ${COLUMNS} FROM template_versions WHERE template_id = $1 AND ($2::int IS NULL OR version < $2) ORDER BY version DESC LIMIT $3`,
      [templateId, before, limit + 1],
    );
  }
}
