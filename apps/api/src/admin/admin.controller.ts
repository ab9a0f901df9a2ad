import { Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  failedJobsPage,
  failedJobsQuery,
  queueParams,
  retryJobsBody,
  TASK_STATUSES,
  retryJobsResult,
  type QueueName,
  type RetryJobsBody,
  type RetryJobsResult,
} from '@handoff/contracts';
import { AuditRepository } from '../audit/audit.repository.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { JobsService } from '../dispatch/jobs.service.js';
import { OutboxRepository } from '../events/outbox.repository.js';
import { TasksRepository } from '../tasks/tasks.repository.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@GuardedController('admin')
export class AdminController {
  constructor(
    private readonly jobs: JobsService,
    private readonly tasks: TasksRepository,
    private readonly outbox: OutboxRepository,
    private readonly audit: AuditRepository,
  ) {}

  @Get('queues')
  @Contract({ summary: 'Queue health: jobs per queue and state, tasks per status, overdue and escalated counts' })
  async queues() {
    const queues = await Promise.all(
      this.jobs.allQueues().map(async (q) => {
        const c = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        return { name: q.name, waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, completed: c.completed ?? 0 };
      }),
    );
    const [health, outboxPending] = await Promise.all([this.tasks.health(), this.outbox.pending()]);
    const tasks = Object.fromEntries(TASK_STATUSES.map((s) => [s, health.byStatus.find((r) => r.status === s)?.n ?? 0]));
    return { queues, tasks, overdue: health.overdue, escalated: health.escalated, outboxPending };
  }

  @Get('queues/:queue/failed')
  @Contract({ summary: 'Failed jobs of a queue, newest failure first, with the tasks each was about', params: queueParams, query: failedJobsQuery, response: failedJobsPage })
  failed(@Input('params') p: { queue: QueueName }, @Input('query') q: { limit: number }) {
    return this.jobs.failed(p.queue, q.limit);
  }

  @Post('queues/:queue/retry')
  @Contract({ summary: 'Run failed jobs again with fresh attempts: the ones named, or the 500 most recent failures', params: queueParams, body: retryJobsBody, response: retryJobsResult })
  async retry(@CurrentUser() caller: AuthUser, @Input('params') p: { queue: QueueName }, @Input('body') body: RetryJobsBody): Promise<RetryJobsResult> {
    const { retried, skipped, retriedIds } = await this.jobs.retryFailed(p.queue, body.jobIds);
    // Recorded after the fact: Redis and PostgreSQL share no transaction, and the record says what was retried.
    if (retried) await this.audit.record(undefined, caller, { action: 'queue.retry', targetType: 'queue', targetId: p.queue, details: { retried, jobIds: retriedIds } });
    return { retried, skipped };
  }
}
