import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { rooms } from '@handoff/contracts';
import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { LiveEvents } from '../realtime/live-events.js';
import { TASK_JOINS, TASK_SELECT, toTaskView, type TaskRow } from '../tasks/task-row.js';
import { runJob, type Handlers } from './job-handlers.js';
import { LoggedWorker } from './logged-worker.js';

/** The task and, while it is still queued at this version, who can take it now: the skill, a free slot, online, not suspended. */
export const ANNOUNCE_SQL = `
  SELECT ${TASK_SELECT},
         CASE WHEN t.status = 'queued' AND t.version = $2 THEN ARRAY(
           SELECT u.id FROM users u
            WHERE u.role = 'assistant' AND u.online AND NOT u.suspended
              AND u.skills @> ARRAY[t.category] AND u.active_tasks < u.max_concurrent_tasks) END AS eligible
    FROM tasks t ${TASK_JOINS} WHERE t.id = $1`;

@Injectable()
export class DispatchProcessor extends LoggedWorker {
  static readonly queue = 'dispatch';
  static readonly concurrency = 64;
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

  /** Tell the assistants who can take it now; one query reads the task and its audience. */
  async announce(taskId: string, version: number): Promise<{ announcedTo: number } | { skipped: string }> {
    const [row]: (TaskRow & { eligible: string[] | null })[] = await this.ds.query(ANNOUNCE_SQL, [taskId, version]);
    if (!row?.eligible) return { skipped: 'no longer queued at this version' };
    const { eligible, ...task } = row;
    this.live.emit(eligible.map((id) => rooms.user(id)), 'task.available', { task: toTaskView(task) });
    return { announcedTo: eligible.length };
  }
}
