import { Injectable } from '@nestjs/common';
import { rooms, type TaskView } from '@handoff/contracts';
import type { Job } from 'bullmq';
import { LiveEvents } from '../realtime/live-events.js';
import { toTaskView } from '../tasks/task.view.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { runJob, type Handlers } from './job-handlers.js';
import { LoggedWorker } from './logged-worker.js';
import { TaskSnapshots } from './task-snapshots.js';

@Injectable()
export class DispatchProcessor extends LoggedWorker {
  static readonly queue = 'dispatch';
  static readonly concurrency = 64;
  readonly handlers: Handlers<'dispatch'> = {
    'dispatch.announce': (p) => this.announce(p.tasks),
  };

  constructor(
    private readonly tasks: TasksRepository,
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
    const found = await this.tasks.announceable(tasks);
    const wanted = found.filter((r) => r.eligible.length);
    const views = new Map<string, TaskView>();
    for (const r of wanted) {
      const view = this.snapshots.take(r.id, r.version);
      if (view) views.set(r.id, view);
    }
    const unread = wanted.filter((r) => !views.has(r.id));
    if (unread.length) {
      const versions = new Map(unread.map((r) => [r.id, r.version]));
      for (const row of await this.tasks.byIds([...versions.keys()])) {
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
