import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Category } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { query, type Queryable } from '../database/sql.js';
import { QualificationTask } from './qualification.entity.js';

const toQualificationTask = rowMapper(QualificationTask);
const COLUMNS = `id, category::text AS category, instructions, reference_answer, rubric, created_by, created_at`;

/** The `qualification_tasks` table: what an admin set for each category's qualification. */
@Injectable()
export class QualificationTasksRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async create(t: Pick<QualificationTask, 'category' | 'instructions' | 'referenceAnswer' | 'rubric' | 'createdBy'>, m: Queryable = this.ds): Promise<QualificationTask> {
    const [row] = await query<Record<string, unknown>>(
      m,
      `INSERT INTO qualification_tasks (category, instructions, reference_answer, rubric, created_by) VALUES ($1::task_category, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [t.category, t.instructions, t.referenceAnswer, t.rubric, t.createdBy],
    );
    return toQualificationTask(row!);
  }

  async byId(id: string, m: Queryable = this.ds): Promise<QualificationTask | null> {
    const [row] = await query<Record<string, unknown>>(m, `SELECT ${COLUMNS} FROM qualification_tasks WHERE id = $1`, [id]);
    return row ? toQualificationTask(row) : null;
  }

  /** Oldest first, of one category or all. */
  async list(category: Category | undefined, m: Queryable = this.ds): Promise<QualificationTask[]> {
    const rows = await query<Record<string, unknown>>(
      m,
      `SELECT ${COLUMNS} FROM qualification_tasks WHERE ($1::task_category IS NULL OR category = $1::task_category) ORDER BY category, created_at, id`,
      [category ?? null],
    );
    return rows.map(toQualificationTask);
  }

  async countsByCategory(m: Queryable = this.ds): Promise<Map<Category, number>> {
    const rows = await query<{ category: Category; n: number }>(m, `SELECT category::text AS category, count(*)::int AS n FROM qualification_tasks GROUP BY category`);
    return new Map(rows.map((r) => [r.category, r.n]));
  }
}
