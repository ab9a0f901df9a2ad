import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ACTIVE_ASSIGNMENT_STATUSES, rooms } from '@handoff/contracts';
import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { LiveEvents } from '../realtime/live-events.js';
import { TASK_JOINS, TASK_SELECT, toTaskView, type TaskRow } from '../tasks/task-row.js';
import { runJob, type Handlers } from './job-handlers.js';
import { LoggedWorker } from './logged-worker.js';

@Injectable()
export class DispatchProcessor extends LoggedWorker {
  static readonly queue = 'dispatch';
  static readonly concurrency = 16;
  readonly handlers: Handlers<'dispatch'> = {
    'dispatch.announce': (p) => this.announce(p.taskId, p.version),
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

  /** Tell the assistants who can take it now: the skill, a free slot, online, not suspended. */
  async announce(taskId: string, version: number): Promise<{ announcedTo: number } | { skipped: string }> {
    const [row]: TaskRow[] = await this.ds.query(`SELECT ${TASK_SELECT} FROM tasks t ${TASK_JOINS} WHERE t.id = $1`, [taskId]);
    if (!row || row.status !== 'queued' || row.version !== version) return { skipped: 'no longer queued at this version' };
    const eligible: { id: string }[] = await this.ds.query(
      `SELECT u.id FROM users u
        WHERE u.role = 'assistant' AND NOT u.suspended AND u.online AND $1::task_category = ANY(u.skills)
          AND (SELECT count(*) FROM tasks a WHERE a.assignee_id = u.id AND a.status = ANY($2::task_status[])) < u.max_concurrent_tasks`,
      [row.category, ACTIVE_ASSIGNMENT_STATUSES],
    );
    this.live.emit(eligible.map((u) => rooms.user(u.id)), 'task.available', { task: toTaskView(row) });
    return { announcedTo: eligible.length };
  }
}
