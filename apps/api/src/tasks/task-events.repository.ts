import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { rowsOf } from '../database/sql.js';
import { TaskEvent } from './task-event.entity.js';

const toEvent = rowMapper(TaskEvent);

/**
 * task_events as the audit trail reads them (`task.<action>` on the task):
 * the audit repository unions this with the other trails.
 */
export const TASK_EVENTS_TRAIL = `
  SELECT e.id, e.created_at, e.actor_id, e.actor_role, 'task.' || e.action, 'task', e.task_id::text,
         jsonb_strip_nulls(jsonb_build_object('from', e.from_status, 'to', e.to_status, 'note', e.note))
    FROM task_events e`;

/** task_events: a task's trail. Rows are written by the move that makes them (TasksRepository). */
@Injectable()
export class TaskEventsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async forTask(taskId: string): Promise<TaskEvent[]> {
    return rowsOf<Record<string, unknown>>(await this.ds.query(`SELECT * FROM task_events WHERE task_id = $1 ORDER BY created_at, id`, [taskId])).map(toEvent);
  }
}
