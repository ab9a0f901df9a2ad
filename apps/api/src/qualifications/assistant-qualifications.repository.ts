import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Category } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { query, type Queryable } from '../database/sql.js';

/**
 * The condition every claim, the board and the announce add: the category
 * ($category, an SQL expression) requires no qualification, or the assistant
 * ($assistant) holds it. Both lookups are by primary key. The claim-next
 * function has it written out in its migration (1764004200000-qualifications).
 */
export function qualifiedSql(assistant: string, category: string): string {
  return `NOT EXISTS (SELECT 1 FROM qualification_requirements qr WHERE qr.category = ${category}
            AND NOT EXISTS (SELECT 1 FROM assistant_qualifications aq WHERE aq.assistant_id = ${assistant} AND aq.category = qr.category))`;
}

/** The `assistant_qualifications` table: who holds which qualification. */
@Injectable()
export class AssistantQualificationsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async of(assistantId: string, m: Queryable = this.ds): Promise<{ category: Category; grantedAt: Date }[]> {
    return query(m, `SELECT category::text AS category, granted_at AS "grantedAt" FROM assistant_qualifications WHERE assistant_id = $1 ORDER BY category`, [assistantId]);
  }

  /** Whether the category requires a qualification this assistant lacks (the 422 of a claim). */
  async lacks(assistantId: string, category: Category, m: Queryable = this.ds): Promise<boolean> {
    const [row] = await query<{ ok: boolean }>(m, `SELECT ${qualifiedSql('$1::uuid', '$2::task_category')} AS ok`, [assistantId, category]);
    return !row?.ok;
  }

  /** Granting twice keeps the first grant. */
  async grant(g: { assistantId: string; category: Category; attemptId: string; grantedBy: string }, m: Queryable = this.ds): Promise<void> {
    await query(
      m,
      `INSERT INTO assistant_qualifications (assistant_id, category, attempt_id, granted_by) VALUES ($1, $2::task_category, $3, $4)
       ON CONFLICT (assistant_id, category) DO NOTHING`,
      [g.assistantId, g.category, g.attemptId, g.grantedBy],
    );
  }
}
