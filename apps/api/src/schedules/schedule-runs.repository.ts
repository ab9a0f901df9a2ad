import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { TaskStatus } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import type { Cursor } from '../common/http/pagination.js';
import { rowMapper } from '../database/rows.js';
import { query, type Queryable } from '../database/sql.js';
import { ScheduleRun, type ScheduleRunOutcome } from './schedule-run.entity.js';

export type ScheduleRunRow = ScheduleRun & { taskStatus: TaskStatus | null; cursorAt: string };
const toListed = rowMapper<ScheduleRun, { taskStatus: TaskStatus | null; cursorAt: string }>(ScheduleRun, { task_status: 'taskStatus', cursor_at: 'cursorAt' });

/** All SQL of the `schedule_runs` table. */
@Injectable()
export class ScheduleRunsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Takes the occurrences for the caller's transaction, in one statement: the
   * ids of the ones taken, leaving out each that has a run already (or that
   * another transaction is writing, which this waits for).
   */
  async claim(m: Queryable, runs: readonly { id: string; scheduleId: string; scheduledAt: Date; outcome: ScheduleRunOutcome; missed: number }[]): Promise<Set<string>> {
    if (runs.length === 0) return new Set();
    const rows = await query<{ id: string }>(
      m,
      `INSERT INTO schedule_runs (id, schedule_id, scheduled_at, outcome, missed)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::int[])
       ON CONFLICT ON CONSTRAINT schedule_runs_once DO NOTHING RETURNING id`,
      [runs.map((r) => r.id), runs.map((r) => r.scheduleId), runs.map((r) => r.scheduledAt), runs.map((r) => r.outcome), runs.map((r) => r.missed)],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The runs' outcomes as their submissions came out, in one statement. */
  async settle(m: Queryable, runs: readonly { id: string; outcome: ScheduleRunOutcome; taskId: string | null; reason: string | null }[]): Promise<void> {
    if (runs.length === 0) return;
    await query(
      m,
      `UPDATE schedule_runs r SET outcome = v.outcome, task_id = v.task_id, reason = v.reason
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[]) AS v(id, outcome, task_id, reason) WHERE r.id = v.id`,
      [runs.map((r) => r.id), runs.map((r) => r.outcome), runs.map((r) => r.taskId), runs.map((r) => r.reason)],
    );
  }

  /** A schedule's runs, newest occurrence first, with their tasks' status now; one more than `limit` when there is more. */
  async list(scheduleId: string, cursor: Cursor | null, limit: number, m: Queryable = this.ds): Promise<ScheduleRunRow[]> {
    const params: unknown[] = [scheduleId];
    const after = cursor ? `AND (r.scheduled_at, r.id) < ($${params.push(cursor.at)}::timestamptz, $${params.push(cursor.id)}::uuid)` : '';
    const rows = await query<Record<string, unknown>>(
      m,
      `SELECT r.*, t.status AS task_status, r.scheduled_at::text AS cursor_at
         FROM schedule_runs r LEFT JOIN tasks t ON t.id = r.task_id
        WHERE r.schedule_id = $1 ${after} ORDER BY r.scheduled_at DESC, r.id DESC LIMIT $${params.push(limit + 1)}`,
      params,
    );
    return rows.map(toListed);
  }
}
