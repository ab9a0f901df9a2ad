import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { rowsOf } from '../database/sql.js';
import { TaskEvent } from './task-event.entity.js';

const toEvent = rowMapper(TaskEvent);

/**
 * A history row that records no move (from = to), for each row of the CTE
 * `d` with a `task_id`; composed into the statement that makes the change
 * (a dispute's answer), the values in these placeholders.
 */
export function taskNoteSql(v: { action: string; status: string; actorId: string; actorRole: string; note: string }): string {
  return `
  INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role, note)
  SELECT task_id, ${v.action}::text, ${v.status}::task_status, ${v.status}::task_status, ${v.actorId}::uuid, ${v.actorRole}::text, ${v.note}::text FROM d`;
}

/** task_events: a task's trail. Rows are written by the move that makes them (TasksRepository). */
@Injectable()
export class TaskEventsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async forTask(taskId: string): Promise<TaskEvent[]> {
    return rowsOf<Record<string, unknown>>(await this.ds.query(`SELECT * FROM task_events WHERE task_id = $1 ORDER BY created_at, id`, [taskId])).map(toEvent);
  }
}
