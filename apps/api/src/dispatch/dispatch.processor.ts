import { Injectable } from '@nestjs/common';
import { ANNOUNCE_TOLD_MAX, jobId, rooms, type TaskView } from '@handoff/contracts';
import type { Job } from 'bullmq';
import { PreferredAssistantsRepository } from '../quality/preferred-assistants.repository.js';
import { LiveEvents } from '../realtime/live-events.js';
import { toTaskView } from '../tasks/task.view.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { runJob, type Handlers } from './job-handlers.js';
import { jobRequest, JobsService, type JobRequest } from './jobs.service.js';
import { LoggedWorker } from './logged-worker.js';
import { TaskSnapshots } from './task-snapshots.js';

@Injectable()
export class DispatchProcessor extends LoggedWorker {
  static readonly queue = 'dispatch';
  static readonly concurrency = 64;
  readonly handlers: Handlers<'dispatch'> = {
    'dispatch.announce': (p) => this.announce(p.tasks),
    'dispatch.announce-open': (p) => this.announce([p], { open: true, told: p.told }),
  };

  constructor(
    private readonly tasks: TasksRepository,
    private readonly live: LiveEvents,
    private readonly snapshots: TaskSnapshots,
    private readonly preferred: PreferredAssistantsRepository,
    private readonly jobs: JobsService,
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
  async announce(tasks: readonly { taskId: string; version: number }[], opts: { open?: boolean; told?: readonly string[] } = {}): Promise<{ announced: number; skipped: number; deliveries: number }> {
    const found = await this.tasks.announceable(tasks);
    const told = new Set(opts.told ?? []);
    if (told.size) for (const r of found) r.eligible = r.eligible.filter((u) => !told.has(u));
    const wanted = found.filter((r) => r.eligible.length);
    const later = opts.open ? new Map<string, JobRequest>() : await this.headStart(wanted);
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
    // Everyone else's announce, queued only once the preferred have been told, for the tasks they were.
    const open = [...later].filter(([id]) => views.has(id)).map(([, job]) => job);
    if (open.length) await this.jobs.addAll(open);
    // Skipped: claimed, cancelled or moved on to a newer version since the relay read it.
    return { announced, skipped: tasks.length - announced, deliveries };
  }

  /**
   * A new task (version 1) of an organization with a head start goes first to
   * its preferred assistants among those who can take it now; everyone else
   * hears of it from `dispatch.announce-open` once the head start has passed
   * (one delayed job per task version, added after the preferred were told, so
   * they always hear first). With none of them able to take it, everyone hears
   * at once. Claiming is open to anyone eligible all along.
   */
  private async headStart(wanted: { id: string; version: number; eligible: string[] }[]): Promise<Map<string, JobRequest>> {
    const later = new Map<string, JobRequest>();
    const fresh = wanted.filter((r) => r.version === 1);
    if (!fresh.length) return later;
    const byId = new Map((await this.preferred.headStarts(fresh.map((r) => r.id))).map((h) => [h.id, h]));
    for (const r of fresh) {
      const h = byId.get(r.id);
      if (!h || h.headStartSeconds <= 0 || !h.preferred.length) continue;
      const first = r.eligible.filter((u) => h.preferred.includes(u));
      if (!first.length) continue;
      r.eligible = first;
      later.set(r.id, jobRequest('dispatch.announce-open', { taskId: r.id, version: r.version, told: first.slice(0, ANNOUNCE_TOLD_MAX) }, { jobId: jobId.announceOpen(r.id, r.version), delay: h.headStartSeconds * 1000 }));
    }
    return later;
  }
}
