import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Category } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { query, type Queryable } from '../database/sql.js';

/** The `qualification_requirements` table: which categories require a qualification. */
@Injectable()
export class QualificationRequirementsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async all(m: Queryable = this.ds): Promise<Category[]> {
    return (await query<{ category: Category }>(m, `SELECT category::text AS category FROM qualification_requirements ORDER BY category`)).map((r) => r.category);
  }

  /** Requiring twice keeps the first. */
  async require(category: Category, by: string, m: Queryable = this.ds): Promise<void> {
    await query(m, `INSERT INTO qualification_requirements (category, set_by) VALUES ($1::task_category, $2) ON CONFLICT (category) DO NOTHING`, [category, by]);
  }

  async drop(category: Category, m: Queryable = this.ds): Promise<void> {
    await query(m, `DELETE FROM qualification_requirements WHERE category = $1::task_category`, [category]);
  }
}
