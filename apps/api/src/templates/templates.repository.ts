import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Category, TemplateScope, ArchivedFilter } from '@handoff/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import type { Cursor } from '../common/http/pagination.js';
import { rowsOf } from '../database/sql.js';
import type { Template } from './template.entity.js';
import type { TemplateVersion } from './template-version.entity.js';

const COLUMNS = `id, organization_id AS "organizationId", name, category, default_priority AS "defaultPriority", version,
  version_id AS "versionId", step_count AS "stepCount", input_count AS "inputCount", deadline_rule AS "deadlineRule",
  archived_at AS "archivedAt", monthly_budget_cents AS "monthlyBudgetCents", created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

export type TemplateRow = Template & { cursorAt: string };

export interface TemplateFilter {
  /** The caller's organization; null lists every organization's (admins). */
  organizationId: string | null;
  scope: TemplateScope;
  archived: ArchivedFilter;
  category?: Category;
  cursor: Cursor | null;
  limit: number;
}

/** The head's copy of its current version: what lists show without reading versions. */
export type TemplateHead = Pick<Template, 'name' | 'category' | 'defaultPriority' | 'version' | 'versionId' | 'stepCount' | 'inputCount' | 'deadlineRule'>;

export function headOf(v: TemplateVersion): TemplateHead {
  return {
    name: v.name,
    category: v.category,
    defaultPriority: v.defaultPriority,
    version: v.version,
    versionId: v.id,
    stepCount: v.checklist.length,
    inputCount: v.inputs.length,
    deadlineRule: v.deadlineRule,
  };
}

/** All SQL of the `templates` table. */
@Injectable()
export class TemplatesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(m: EntityManager, t: { id: string; organizationId: string | null; createdBy: string | null } & TemplateHead): Promise<Template> {
    const rows: Template[] = await m.query(
      `INSERT INTO templates (id, organization_id, name, category, default_priority, version, version_id, step_count, input_count, deadline_rule, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11) RETURNING ${COLUMNS}`,
      [t.id, t.organizationId, t.name, t.category, t.defaultPriority, t.version, t.versionId, t.stepCount, t.inputCount, JSON.stringify(t.deadlineRule), t.createdBy],
    );
    return rows[0]!;
  }

  /** The head; with `m` and `lock`, locked until the transaction ends, so edits of one template take turns. */
  async findById(id: string, opts: { m?: EntityManager; lock?: boolean } = {}): Promise<Template | null> {
    const rows: Template[] = await (opts.m ?? this.ds.manager).query(`SELECT ${COLUMNS} FROM templates WHERE id = $1${opts.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ?? null;
  }

  /** Moves the head to a new version. */
  /** The template's own monthly budget; not a new version, so only the head's `updated_at` moves. */
  async setBudget(m: EntityManager, id: string, cents: number | null): Promise<void> {
    await m.query(`UPDATE templates SET monthly_budget_cents = $2, updated_at = now() WHERE id = $1`, [id, cents]);
  }

  async advance(m: EntityManager, id: string, head: TemplateHead): Promise<Template> {
    const rows = rowsOf<Template>(
      await m.query(
        `UPDATE templates SET name = $2, category = $3, default_priority = $4, version = $5, version_id = $6, step_count = $7,
            input_count = $8, deadline_rule = $9::jsonb, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, head.name, head.category, head.defaultPriority, head.version, head.versionId, head.stepCount, head.inputCount, JSON.stringify(head.deadlineRule)],
      ),
    );
    return rows[0]!;
  }

  /** Archives or restores it if it is not so already; null when it was (the caller answers 409). */
  async setArchived(id: string, archived: boolean): Promise<Template | null> {
    const rows = rowsOf<Template>(
      await this.ds.query(
        `UPDATE templates SET archived_at = ${archived ? 'now()' : 'NULL'}, updated_at = now()
          WHERE id = $1 AND archived_at IS ${archived ? 'NULL' : 'NOT NULL'} RETURNING ${COLUMNS}`,
        [id],
      ),
    );
    return rows[0] ?? null;
  }

  /** A page in creation order, one more row than `limit` when there is more. */
  async list(f: TemplateFilter): Promise<TemplateRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => `$${params.push(v)}`;
    const own = () => (f.organizationId === null ? 'organization_id IS NOT NULL' : `organization_id = ${param(f.organizationId)}`);
    if (f.scope === 'organization') where.push(own());
    else if (f.scope === 'starter') where.push('organization_id IS NULL');
    else if (f.organizationId !== null) where.push(`(${own()} OR organization_id IS NULL)`);
    if (f.archived === 'exclude') where.push('archived_at IS NULL');
    if (f.archived === 'only') where.push('archived_at IS NOT NULL');
    if (f.category) where.push(`category = ${param(f.category)}`);
    if (f.cursor) where.push(`(created_at, id) > (${param(f.cursor.at)}::timestamptz, ${param(f.cursor.id)}::uuid)`);
    return this.ds.query(
      `SELECT ${COLUMNS}, created_at::text AS "cursorAt" FROM templates
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT ${param(f.limit + 1)}`,
      params,
    );
  }

  /** Whether a starter of this category exists, archived or not (the seed adds one only to a category without). */
  async hasStarter(m: EntityManager, category: Category): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM templates WHERE organization_id IS NULL AND category = $1 LIMIT 1`, [category]);
    return rows.length > 0;
  }
}
