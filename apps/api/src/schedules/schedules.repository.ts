import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Cursor } from '../common/http/pagination.js';
import { rowMapper } from '../database/rows.js';
import { query, type Queryable } from '../database/sql.js';
import { schedulePausedEvents } from '../events/outbox.repository.js';
import { Schedule } from './schedule.entity.js';

const toSchedule = rowMapper(Schedule);
const toListed = rowMapper<Schedule, { cursorAt: string }>(Schedule, { cursor_at: 'cursorAt' });

export type ScheduleRow = Schedule & { cursorAt: string };
export type ScheduleState = 'active' | 'paused' | 'ended';

export type NewSchedule = Pick<
  Schedule,
  'id' | 'organizationId' | 'templateId' | 'versionId' | 'name' | 'rule' | 'runTime' | 'startsAt' | 'endsAt' | 'inputs' | 'priority' | 'nextRunAt' | 'createdBy'
>;

export type ScheduleChange = Partial<Pick<Schedule, 'versionId' | 'name' | 'rule' | 'runTime' | 'startsAt' | 'endsAt' | 'inputs' | 'priority' | 'nextRunAt' | 'skipAt'>>;

const STATE_SQL: Record<ScheduleState, string> = {
  active: 'paused_at IS NULL AND next_run_at IS NOT NULL',
  paused: 'paused_at IS NOT NULL',
  ended: 'paused_at IS NULL AND next_run_at IS NULL',
};

// Columns a change may set, by property; jsonb ones are written as JSON text.
const CHANGE_COLUMNS: Record<keyof ScheduleChange, string> = {
  versionId: 'version_id',
  name: 'name',
  rule: 'rule',
  runTime: 'run_time',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  inputs: 'inputs',
  priority: 'priority',
  nextRunAt: 'next_run_at',
  skipAt: 'skip_at',
};

/** All SQL of the `schedules` table. */
@Injectable()
export class SchedulesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(s: NewSchedule, m: Queryable = this.ds): Promise<Schedule> {
    const rows = await query<Record<string, unknown>>(
      m,
      `INSERT INTO schedules (id, organization_id, template_id, version_id, name, rule, run_time, starts_at, ends_at, inputs, priority, next_run_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10::jsonb, $11, $12, $13) RETURNING *`,
      [
        s.id,
        s.organizationId,
        s.templateId,
        s.versionId,
        s.name,
        JSON.stringify(s.rule),
        s.runTime,
        s.startsAt,
        s.endsAt,
        s.inputs === null ? null : JSON.stringify(s.inputs),
        s.priority,
        s.nextRunAt,
        s.createdBy,
      ],
    );
    return toSchedule(rows[0]!);
  }

  async findById(id: string, m: Queryable = this.ds): Promise<Schedule | null> {
    const rows = await query<Record<string, unknown>>(m, `SELECT * FROM schedules WHERE id = $1`, [id]);
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  /** An organization's schedules (all, for null) in creation order, one more than `limit` when there is more. */
  async list(organizationId: string | null, state: ScheduleState | undefined, cursor: Cursor | null, limit: number): Promise<ScheduleRow[]> {
    const params: unknown[] = [];
    const where = ['true'];
    if (organizationId !== null) where.push(`organization_id = $${params.push(organizationId)}`);
    if (state) where.push(STATE_SQL[state]);
    if (cursor) where.push(`(created_at, id) > ($${params.push(cursor.at)}::timestamptz, $${params.push(cursor.id)}::uuid)`);
    const rows = await query<Record<string, unknown>>(
      this.ds,
      `SELECT *, created_at::text AS cursor_at FROM schedules WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $${params.push(limit + 1)}`,
      params,
    );
    return rows.map(toListed);
  }

  async update(id: string, c: ScheduleChange, m: Queryable = this.ds): Promise<Schedule | null> {
    const params: unknown[] = [id];
    const sets = ['updated_at = now()'];
    for (const [key, column] of Object.entries(CHANGE_COLUMNS) as [keyof ScheduleChange, string][]) {
      if (!(key in c)) continue;
      const v = c[key];
      const json = key === 'rule' || key === 'inputs';
      sets.push(`${column} = $${params.push(json && v !== null ? JSON.stringify(v) : v)}${json ? '::jsonb' : ''}`);
    }
    const rows = await query<Record<string, unknown>>(m, `UPDATE schedules SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params);
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  /** Paused by its owner; a paused one stays as it was (null). */
  async pause(id: string, reason: string): Promise<Schedule | null> {
    const rows = await query<Record<string, unknown>>(
      this.ds,
      `UPDATE schedules SET paused_at = now(), paused_reason = $2, updated_at = now() WHERE id = $1 AND paused_at IS NULL RETURNING *`,
      [id, reason],
    );
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  /** Running again from `nextRunAt` (what fell due while paused is not made up); a running one stays as it was (null). */
  async resume(id: string, nextRunAt: Date | null): Promise<Schedule | null> {
    const rows = await query<Record<string, unknown>>(
      this.ds,
      `UPDATE schedules SET paused_at = NULL, paused_reason = NULL, next_run_at = $2,
              skip_at = CASE WHEN skip_at >= $2 THEN skip_at END, updated_at = now()
        WHERE id = $1 AND paused_at IS NOT NULL RETURNING *`,
      [id, nextRunAt],
    );
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await query<{ id: string }>(this.ds, `DELETE FROM schedules WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  }

  /**
   * Up to `limit` live schedules due by `now` that no other worker holds, due
   * longest ago first, locked for the caller's transaction.
   */
  async lockDue(m: Queryable, now: Date, limit: number, except: readonly string[] = []): Promise<Schedule[]> {
    const rows = await query<Record<string, unknown>>(
      m,
      `SELECT * FROM schedules WHERE paused_at IS NULL AND next_run_at IS NOT NULL AND next_run_at <= $1 AND id <> ALL($2::uuid[])
        ORDER BY next_run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [now, except, limit],
    );
    return rows.map(toSchedule);
  }

  /** Runs were handled: each schedule at the rule's next run after its own (null once it ends), and the skip used up if it was that one. */
  async advance(m: Queryable, moves: readonly { id: string; ranAt: Date; nextRunAt: Date | null }[]): Promise<void> {
    if (moves.length === 0) return;
    await query(
      m,
      `UPDATE schedules s SET last_run_at = v.ran_at, next_run_at = v.next_run_at, skip_at = CASE WHEN s.skip_at > v.ran_at THEN s.skip_at END, updated_at = now()
         FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS v(id, ran_at, next_run_at) WHERE s.id = v.id`,
      [moves.map((x) => x.id), moves.map((x) => x.ranAt), moves.map((x) => x.nextRunAt)],
    );
  }

  /** A run's submission was refused: paused with the reason, and `schedule.paused` in the same statement. */
  async pauseForRefusal(m: Queryable, id: string, reason: string, scheduledAt: Date): Promise<void> {
    await query(
      m,
      `WITH s AS (
         UPDATE schedules SET paused_at = now(), paused_reason = $2, updated_at = now() WHERE id = $1 AND paused_at IS NULL RETURNING *
       ) ${schedulePausedEvents('$3')}`,
      [id, reason, scheduledAt.toISOString()],
    );
  }
}
