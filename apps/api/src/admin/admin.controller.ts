import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { TASK_STATUSES, type TaskStatus } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { Roles } from '../common/auth/decorators.js';
import { Contract } from '../common/http/contract.js';
import { JobsService } from '../dispatch/jobs.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin')
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
    const rows: { status: TaskStatus; n: number }[] = await this.ds.query(`SELECT status, count(*)::int AS n FROM tasks GROUP BY status`);
    const tasks = Object.fromEntries(TASK_STATUSES.map((s) => [s, rows.find((r) => r.status === s)?.n ?? 0]));
    const [flags]: { overdue: number; escalated: number; outbox: number }[] = await this.ds.query(
      `SELECT (SELECT count(*)::int FROM tasks WHERE status IN ('queued', 'claimed', 'in_progress') AND (overdue OR deadline <= now())) AS overdue,
              (SELECT count(*)::int FROM tasks WHERE status = 'queued' AND escalated) AS escalated,
              (SELECT count(*)::int FROM outbox) AS outbox`,
    );
    return { queues, tasks, overdue: flags!.overdue, escalated: flags!.escalated, outboxPending: flags!.outbox };
  }
}
