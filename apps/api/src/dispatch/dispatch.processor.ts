import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { rooms, type TaskView } from '@handoff/contracts';
import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { rowsOf } from '../database/sql.js';
import { LiveEvents } from '../realtime/live-events.js';
import { TASKS_BY_ID_SQL, toTaskView, type TaskRow } from '../tasks/task-row.js';
import { runJob, type Handlers } from './job-handlers.js';
import { LoggedWorker } from './logged-worker.js';
import { TaskSnapshots } from './task-snapshots.js';

/**
 * Which tasks of one announce job are still queued at the version it names,
 * each with who can take it now: the skill, a free slot, online, not
 * suspended. The batch is fetched by primary key first and only then checked
 * for its status: left to the planner, `status = 'queued'` chose the queue's
 * partial index whenever the statistics were older than the backlog, and
 * every announce read the whole queue (25,000 entries for 63 tasks in the
 * submit bench). Joined to `unnest` alone, the plan hashed every queued task.
 */
export const ANNOUNCE_SQL = `
  WITH t AS MATERIALIZED (SELECT id, version, status, category FROM tasks WHERE id = ANY($1::uuid[]))
  SELECT t.id, t.version,
         ARRAY(SELECT u.id FROM users u
                WHERE u.role = 'assistant' AND u.online AND NOT u.suspended
                  AND u.skills @> ARRAY[t.category] AND u.active_tasks < u.max_concurrent_tasks) AS eligible
    FROM unnest($1::uuid[], $2::int[]) AS wanted(id, version)
    JOIN t ON t.id = wanted.id AND t.version = wanted.version AND t.status = 'queued'`;

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
    private readonly snapshots: TaskSnapshots,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob('dispatch', this.handlers, job);
  }

  /**
   * Tell the assistants who can take each task now. The views come from the
   * relay that queued the job when it ran here (`TaskSnapshots`), otherwise
   * from one read of the tasks someone can take. Both reads are planned on
   * each call, not prepared: a plan cached while the table was small scans it
   * whole once it has grown.
   */
  async announce(tasks: readonly { taskId: string; version: number }[]): Promise<{ announced: number; skipped: number; deliveries: number }> {
    const found = rowsOf<{ id: string; version: number; eligible: string[] }>(
      await this.ds.query(ANNOUNCE_SQL, [tasks.map((t) => t.taskId), tasks.map((t) => t.version)]),
    );
    const wanted = found.filter((r) => r.eligible.length);
    const views = new Map<string, TaskView>();
    for (const r of wanted) {
      const view = this.snapshots.take(r.id, r.version);
      if (view) views.set(r.id, view);
    }
    const unread = wanted.filter((r) => !views.has(r.id));
    if (unread.length) {
      const versions = new Map(unread.map((r) => [r.id, r.version]));
      for (const row of rowsOf<TaskRow>(await this.ds.query(TASKS_BY_ID_SQL, [[...versions.keys()]]))) {
        // Claimed or changed between the two reads: its own change tells the assistants.
        if (row.status === 'queued' && row.version === versions.get(row.id)) views.set(row.id, toTaskView(row));
      }
    }
    let announced = found.length;
    let deliveries = 0;
    for (const { id, eligible } of wanted) {
      const task = views.get(id);
      if (!task) {
        announced--;
        continue;
      }
      this.live.emit(eligible.map((u) => rooms.user(u)), 'task.available', { task });
      deliveries += eligible.length;
    }
    // Skipped: claimed, cancelled or moved on to a newer version since the relay read it.
    return { announced, skipped: tasks.length - announced, deliveries };
  }
}
