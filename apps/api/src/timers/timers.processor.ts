import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { TasksService } from '../tasks/tasks.service.js';
import { runJob, type Handlers } from '../dispatch/job-handlers.js';
import { LoggedWorker } from '../dispatch/logged-worker.js';
import { ReviewReminders } from '../notifications/review-reminders.js';

/**
 * Delayed jobs that re-read the task when they fire and act only if the state
 * they were scheduled for still holds: firing twice, or late, does no harm.
 */
@Injectable()
export class TimersProcessor extends LoggedWorker {
  static readonly queue = 'timers';
  static readonly concurrency = 16;
  readonly handlers: Handlers<'timers'> = {
    'timers.claim-expiry': (p) => this.tasks.systemTransition(p.taskId, 'expire', p.version).then(outcome),
    'timers.auto-accept': (p) => this.tasks.systemTransition(p.taskId, 'auto_accept', p.version).then(outcome),
    'timers.deadline': (p) => this.tasks.markOverdue(p.taskId).then(outcome),
    'timers.escalation': (p) => this.tasks.escalate(p.taskId).then(outcome),
    'timers.review-reminder': (p) => this.reminders.remind(p.taskId, p.version),
  };

  constructor(
    private readonly tasks: TasksService,
    private readonly reminders: ReviewReminders,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runJob('timers', this.handlers, job);
  }
}

const outcome = (row: { version: number } | null) => (row ? { applied: true, version: row.version } : { applied: false });
