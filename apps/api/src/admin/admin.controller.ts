import { Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  failedJobsPage,
  failedJobsQuery,
  queueParams,
  retryJobsBody,
  retryJobsResult,
  type QueueName,
  type RetryJobsBody,
  type RetryJobsResult,
} from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { JobsService } from '../dispatch/jobs.service.js';
import { queueFlags, taskStatusCounts } from './queue-counts.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@GuardedController('admin')
export class AdminController {
  constructor(
    private readonly jobs: JobsService,
    @InjectDataSource() private readonly ds: DataSource,
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
    const tasks = await taskStatusCounts(this.ds);
    const flags = await queueFlags(this.ds);
    return { queues, tasks, overdue: flags.overdue, escalated: flags.escalated, outboxPending: flags.outbox };
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
    if (retried) await recordAudit(this.ds.manager, caller, { action: 'queue.retry', targetType: 'queue', targetId: p.queue, details: { retried, jobIds: retriedIds } });
    return { retried, skipped };
  }
}
