import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AttemptStatus, Category } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { query, type Queryable } from '../database/sql.js';
import { QualificationAttempt } from './qualification.entity.js';

const toAttempt = rowMapper(QualificationAttempt);
const COLUMNS = `id, qualification_task_id, category::text AS category, assistant_id, answer, status, reviewer_id, notes, created_at, reviewed_at`;
/** The most attempts a list answers. */
const LIST_MAX = 200;

/** The `qualification_attempts` table: assistants' answers and their reviews. */
@Injectable()
export class QualificationAttemptsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * A new attempt, unless the assistant already has one of the category
   * waiting for review (the partial unique index decides, so two at once
   * leave one): null then.
   */
  async submit(a: { qualificationTaskId: string; category: Category; assistantId: string; answer: string }, m: Queryable = this.ds): Promise<QualificationAttempt | null> {
    const [row] = await query<Record<string, unknown>>(
      m,
      `INSERT INTO qualification_attempts (qualification_task_id, category, assistant_id, answer) VALUES ($1, $2::task_category, $3, $4)
       ON CONFLICT (assistant_id, category) WHERE status = 'submitted' DO NOTHING
       RETURNING ${COLUMNS}`,
      [a.qualificationTaskId, a.category, a.assistantId, a.answer],
    );
    return row ? toAttempt(row) : null;
  }

  async byId(id: string, m: Queryable = this.ds): Promise<QualificationAttempt | null> {
    const [row] = await query<Record<string, unknown>>(m, `SELECT ${COLUMNS} FROM qualification_attempts WHERE id = $1`, [id]);
    return row ? toAttempt(row) : null;
  }

  /** Newest first; `assistantId` narrows to one assistant's. */
  async list(f: { assistantId?: string; status?: AttemptStatus; category?: Category }, m: Queryable = this.ds): Promise<QualificationAttempt[]> {
    const rows = await query<Record<string, unknown>>(
      m,
      `SELECT ${COLUMNS} FROM qualification_attempts
        WHERE ($1::uuid IS NULL OR assistant_id = $1::uuid) AND ($2::text IS NULL OR status = $2::text) AND ($3::task_category IS NULL OR category = $3::task_category)
        ORDER BY created_at DESC, id DESC LIMIT ${LIST_MAX}`,
      [f.assistantId ?? null, f.status ?? null, f.category ?? null],
    );
    return rows.map(toAttempt);
  }

  /** The review, once: the attempt as reviewed, or null when it was no longer waiting (another review won). */
  async review(r: { id: string; outcome: 'passed' | 'failed'; reviewerId: string; notes: string | null }, m: Queryable = this.ds): Promise<QualificationAttempt | null> {
    const [row] = await query<Record<string, unknown>>(
      m,
      `UPDATE qualification_attempts SET status = $2, reviewer_id = $3, notes = $4, reviewed_at = now()
        WHERE id = $1 AND status = 'submitted'
       RETURNING ${COLUMNS}`,
      [r.id, r.outcome, r.reviewerId, r.notes],
    );
    return row ? toAttempt(row) : null;
  }
}
