import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { rooms } from '@handoff/contracts';
import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { rowsOf } from '../database/sql.js';
import { LiveEvents } from '../realtime/live-events.js';
import { TASK_JOINS, TASK_SELECT, toTaskView, type TaskRow } from '../tasks/task-row.js';
import { runJob, type Handlers } from './job-handlers.js';
import { LoggedWorker } from './logged-worker.js';

/**
 * The tasks of one announce job still queued at the version it names, each
 * with who can take it now: the skill, a free slot, online, not suspended.
 * The batch is fetched by primary key first and only then checked for its
 * status: left to the planner, `status = 'queued'` chose the queue's partial
 * index whenever the statistics were older than the backlog, and every
 * announce read the whole queue (25,000 entries for 63 tasks in the submit
 * bench). Joined to `unnest` alone, the plan hashed every queued task.
 */
export const ANNOUNCE_SQL = `
  WITH t AS MATERIALIZED (SELECT * FROM tasks WHERE id = ANY($1::uuid[]))
  SELECT ${TASK_SELECT},
         ARRAY(SELECT u.id FROM users u
                WHERE u.role = 'assistant' AND u.online AND NOT u.suspended
                  AND u.skills @> ARRAY[t.category] AND u.active_tasks < u.max_concurrent_tasks) AS eligible
    FROM unnest($1::uuid[], $2::int[]) AS wanted(id, version)
    JOIN t ON t.id = wanted.id AND t.version = wanted.version AND t.status = 'queued'
    ${TASK_JOINS}`;

@Injectable()
export class DispatchProcessor extends LoggedWorker {
  static readonly queue = 'dispatch';
  static readonly concurrency = 64;
  readonly handlers: Handlers<'dispatch'> = {
    'dispatch.announce': (p) => this.announce(p.tasks),
  };

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly live: LiveEvents,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob('dispatch', this.handlers, job);
  }

  /**
   * Tell the assistants who can take each task now; one query reads the tasks and their audiences.
   * Planned on each call, not prepared: a plan cached while the table was small scans it whole once it has grown.
   */
  async announce(tasks: readonly { taskId: string; version: number }[]): Promise<{ announced: number; skipped: number; deliveries: number }> {
    const rows = rowsOf<TaskRow & { eligible: string[] }>(await this.ds.query(ANNOUNCE_SQL, [tasks.map((t) => t.taskId), tasks.map((t) => t.version)]));
    let deliveries = 0;
    for (const { eligible, ...task } of rows) {
      this.live.emit(eligible.map((id) => rooms.user(id)), 'task.available', { task: toTaskView(task) });
      deliveries += eligible.length;
    }
    // Skipped: claimed, cancelled or moved on to a newer version since the relay read it.
    return { announced: rows.length, skipped: tasks.length - rows.length, deliveries };
  }
}
