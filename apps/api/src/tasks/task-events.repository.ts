import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { rowsOf } from '../database/sql.js';
import { TaskEvent } from './task-event.entity.js';

const toEvent = rowMapper(TaskEvent);

/** task_events: a task's trail. Rows are written by the move that makes them (TasksRepository). */
@Injectable()
export class TaskEventsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async forTask(taskId: string): Promise<TaskEvent[]> {
    return rowsOf<Record<string, unknown>>(await this.ds.query(`SELECT * FROM task_events WHERE task_id = $1 ORDER BY created_at, id`, [taskId])).map(toEvent);
  }
}
