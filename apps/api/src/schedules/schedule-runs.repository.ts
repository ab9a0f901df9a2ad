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
   * Takes the occurrence for the caller's transaction: false when a run of it
   * exists (or another transaction is writing one, which this waits for).
   */
  async claim(m: Queryable, r: { id: string; scheduleId: string; scheduledAt: Date; outcome: ScheduleRunOutcome; missed: number; reason?: string | null }): Promise<boolean> {
    const rows = await query<{ id: string }>(
      m,
      `INSERT INTO schedule_runs (id, schedule_id, scheduled_at, outcome, missed, reason) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT schedule_runs_once DO NOTHING RETURNING id`,
      [r.id, r.scheduleId, r.scheduledAt, r.outcome, r.missed, r.reason ?? null],
    );
    return rows.length > 0;
  }

  async settle(m: Queryable, id: string, outcome: ScheduleRunOutcome, taskId: string | null, reason: string | null): Promise<void> {
    await query(m, `UPDATE schedule_runs SET outcome = $2, task_id = $3, reason = $4 WHERE id = $1`, [id, outcome, taskId, reason]);
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
