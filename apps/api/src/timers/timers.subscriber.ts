import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { batchTasks, entersQueue, TASK_EVENTS, taskChanges, type TaskChange } from '../tasks/task-changes.js';
import type { Task } from '../tasks/task.entity.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { JobsService, type JobRequest } from '../dispatch/jobs.service.js';
import { timerJob, type DueTimer } from './timer-sweep.js';

/**
 * The timers a change calls for, due from the database's timestamps. Only
 * those due within the horizon are queued now; `TimerSweep` queues the rest
 * when they come that close, if the task still needs them then.
 */
export function timersFor(change: TaskChange, task: Pick<Task, 'deadline' | 'createdAt' | 'escalated'>, now: number, config: Pick<AppConfig, 'claimWindowMs' | 'reviewWindowMs' | 'reviewReminderLeadMs' | 'timerHorizonMs'>): JobRequest[] {
  const due: DueTimer[] = [];
  const { taskId, version, to } = change;
  if (change.action === 'submit') due.push({ kind: 'deadline', taskId, version, due: task.deadline.getTime() });
  if (entersQueue(change) && !task.escalated) {
    const created = task.createdAt.getTime();
    due.push({ kind: 'escalation', taskId, version, due: created + (task.deadline.getTime() - created) / 2 });
  }
  if (to === 'claimed' && change.from === 'queued') due.push({ kind: 'claim-expiry', taskId, version, due: change.at + config.claimWindowMs });
  if (to === 'returned') due.push({ kind: 'auto-accept', taskId, version, due: change.at + config.reviewWindowMs });
  if (to === 'returned' && config.reviewWindowMs > config.reviewReminderLeadMs) {
    due.push({ kind: 'review-reminder', taskId, version, due: change.at + config.reviewWindowMs - config.reviewReminderLeadMs });
  }
  return due.filter((t) => t.due - now <= config.timerHorizonMs).map((t) => timerJob(t, now));
}

/** Each change's timers, as delayed jobs with deterministic ids (queueing one twice adds nothing). */
@Injectable()
export class TimersSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'timers';
  readonly events = TASK_EVENTS;

  constructor(
    private readonly bus: EventBus,
    private readonly jobs: JobsService,
    private readonly tasks: TasksRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<void> {
    const changes = taskChanges(batch.events);
    if (!changes.length) return;
    const byId = await batchTasks(batch, this.tasks);
    const now = Date.now();
    const jobs = changes.flatMap((c) => {
      const row = byId.get(c.taskId);
      return row ? timersFor(c, row, now, this.config) : [];
    });
    if (jobs.length) await this.jobs.addAll(jobs);
  }
}
