import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { batchTasks, entersQueue, TASK_EVENTS, taskChanges } from '../tasks/task-changes.js';
import { toTaskView } from '../tasks/task.view.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { announceJobId, jobRequest, JobsService } from './jobs.service.js';
import { TaskSnapshots } from './task-snapshots.js';

/**
 * Tasks that entered the queue go to the assistants who can take them: one
 * announce job per batch (its id made from the batch, so a batch relayed twice
 * adds none), with the views kept for the announce in this process.
 */
@Injectable()
export class AnnounceSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'announce';
  readonly events = TASK_EVENTS;

  constructor(
    private readonly bus: EventBus,
    private readonly jobs: JobsService,
    private readonly tasks: TasksRepository,
    private readonly snapshots: TaskSnapshots,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<void> {
    const entering = taskChanges(batch.events).filter(entersQueue);
    if (!entering.length) return;
    const byId = await batchTasks(batch, this.tasks);
    const toAnnounce: { taskId: string; version: number }[] = [];
    for (const change of entering) {
      const row = byId.get(change.taskId);
      if (!row) continue;
      toAnnounce.push({ taskId: change.taskId, version: change.version });
      if (row.status === 'queued') this.snapshots.keep(toTaskView(row));
    }
    if (toAnnounce.length) await this.jobs.addAll([jobRequest('dispatch.announce', { tasks: toAnnounce }, { jobId: announceJobId(toAnnounce) })]);
  }
}
