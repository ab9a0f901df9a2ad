import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ANNOUNCE_BATCH, jobId, rooms, type LedgerEntryView, type TaskStatus } from '@handoff/contracts';
import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { LiveEvents } from '../realtime/live-events.js';
import { TASK_JOINS, TASK_SELECT, toTaskView, type TaskRow } from '../tasks/task-row.js';
import { REDIS } from '../redis/redis.module.js';
import { announceJobId, jobRequest, JobsService, type JobRequest } from './jobs.service.js';

interface OutboxRow {
  id: string;
  topic: 'task' | 'billing';
  payload: TaskChange | { entryId: string };
  created_at: Date;
}

interface TaskChange {
  taskId: string;
  version: number;
  action: string;
  from: TaskStatus | null;
  to: TaskStatus;
  prevAssigneeId?: string | null;
  /** When the change committed: windows run from here, however late the relay. */
  at: number;
}

interface LedgerRow {
  id: string;
  task_id: string;
  organization_id: string;
  assistant_id: string | null;
  kind: LedgerEntryView['kind'];
  amount_cents: number;
  currency: string;
  created_at: Date;
  created_by: string | null;
  reason: string | null;
}

// An announce job carries at most one batch's tasks.
const BATCH = ANNOUNCE_BATCH;

/** Queued anew (submitted, released, reopened), as opposed to flagged while it waits: announce it and time its escalation. */
function entersQueue(change: TaskChange): boolean {
  return change.to === 'queued' && change.action !== 'overdue' && change.action !== 'escalate';
}

export function toEntryView(r: LedgerRow): LedgerEntryView {
  return {
    id: r.id,
    taskId: r.task_id,
    organizationId: r.organization_id,
    assistantId: r.assistant_id,
    kind: r.kind,
    amountCents: r.amount_cents,
    currency: r.currency.trim(),
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    reason: r.reason,
  };
}

/**
 * Relays what a commit promised (socket events, dispatch, timers) from the
 * outbox table to Redis. Kicked right after each commit and swept on a timer,
 * so a process that dies between commit and relay loses nothing: another
 * process (or this one, restarted) picks the rows up. Effects are idempotent —
 * deterministic job ids, versioned snapshots — so relaying twice is harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('outbox');
  private running: Promise<void> | null = null;
  private again = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly live: LiveEvents,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onApplicationBootstrap(): void {
    // Rows left behind by a process that died after its commit are relayed at start.
    this.kick();
    // What piled up while Redis was away goes out as soon as it is back, not at the next sweep.
    this.redis.on('ready', this.onRedisReady);
    this.timer = setInterval(() => this.kick(), this.config.reconcileIntervalMs);
    this.timer.unref();
  }

  /** Stop before the socket server and queues close, so a drain never talks to a closed connection. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.redis.off('ready', this.onRedisReady);
    await this.running;
  }

  private readonly onRedisReady = () => this.kick();

  /** Drain soon; calls made while a drain runs coalesce into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drainAll()
      .catch((e: unknown) => this.logger.warn(`relay failed, will retry: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** For tests and shutdown: resolves once everything committed so far is relayed. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    await this.drainAll();
  }

  private async drainAll(): Promise<void> {
    while (!this.stopped && (await this.drainBatch()) === BATCH) {
      // keep going while full batches come back
    }
  }

  private async drainBatch(): Promise<number> {
    return this.ds.transaction(async (m) => {
      const rows: OutboxRow[] = await m.query(`SELECT id, topic, payload, created_at FROM outbox ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`);
      if (!rows.length) return 0;
      await this.relay(m, rows);
      await m.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  private async relay(m: EntityManager, rows: OutboxRow[]): Promise<void> {
    const changes = rows.filter((r) => r.topic === 'task').map((r) => ({ ...(r.payload as TaskChange), at: r.created_at.getTime() }));
    const entryIds = rows.filter((r) => r.topic === 'billing').map((r) => (r.payload as { entryId: string }).entryId);
    if (changes.length) await this.relayTasks(m, changes);
    if (entryIds.length) await this.relayBilling(m, entryIds);
  }

  private async relayTasks(m: EntityManager, changes: TaskChange[]): Promise<void> {
    const ids = [...new Set(changes.map((c) => c.taskId))];
    const rows: TaskRow[] = await m.query(`SELECT ${TASK_SELECT} FROM tasks t ${TASK_JOINS} WHERE t.id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const newest = new Map<string, number>();
    for (const c of changes) newest.set(c.taskId, Math.max(newest.get(c.taskId) ?? 0, c.version));
    const announced = new Set<string>();
    const now = Date.now();
    const jobs: JobRequest[] = [];
    const toAnnounce: { taskId: string; version: number }[] = [];

    for (const change of changes) {
      const row = byId.get(change.taskId);
      if (!row) continue;
      const task = toTaskView(row);
      // One snapshot per version, whichever process relays it: the row as read now carries the
      // newest committed version, and the outbox row of that version is the one that sends it. A
      // batch holding only older changes of a task that has moved on leaves the snapshot to the
      // batch (here or on another instance) that holds the newest, or it would go out twice.
      if (!announced.has(row.id) && row.version === newest.get(row.id)) {
        announced.add(row.id);
        const audience = [rooms.org(row.organization_id), rooms.admins];
        if (row.assignee_id) audience.push(rooms.user(row.assignee_id));
        this.live.emit(audience, 'task.updated', { task });
      }
      if (change.prevAssigneeId && change.prevAssigneeId !== row.assignee_id) {
        this.live.emit([rooms.user(change.prevAssigneeId)], 'task.updated', { task });
      }
      if (change.from === 'queued' && change.to !== 'queued') {
        this.live.emit([rooms.skill(row.category)], 'task.unavailable', { taskId: row.id, version: change.version });
      }
      if (change.action === 'escalate') this.live.emit([rooms.admins, rooms.org(row.organization_id)], 'task.escalated', { task });
      if (change.action === 'overdue') {
        const audience = [rooms.admins, rooms.org(row.organization_id)];
        if (row.assignee_id) audience.push(rooms.user(row.assignee_id));
        this.live.emit(audience, 'task.overdue', { task });
      }
      if (entersQueue(change)) {
        toAnnounce.push({ taskId: change.taskId, version: change.version });
      }
      jobs.push(...this.timersFor(change, row, now));
    }
    if (toAnnounce.length) jobs.push(jobRequest('dispatch.announce', { tasks: toAnnounce }, { jobId: announceJobId(toAnnounce) }));
    await this.jobs.addAll(jobs);
  }

  /** The timers a change calls for, with delays measured from the database's timestamps. */
  private timersFor(change: TaskChange, row: TaskRow, now: number): JobRequest[] {
    const out: JobRequest[] = [];
    const { taskId, version, to } = change;
    if (change.action === 'submit') {
      out.push(jobRequest('timers.deadline', { taskId }, { jobId: jobId.deadline(taskId), delay: row.deadline.getTime() - now }));
    }
    if (entersQueue(change) && !row.escalated) {
      const created = row.created_at.getTime();
      const midpoint = created + (row.deadline.getTime() - created) / 2;
      out.push(jobRequest('timers.escalation', { taskId, version }, { jobId: jobId.escalation(taskId, version), delay: midpoint - now }));
    }
    if (to === 'claimed' && change.from === 'queued') {
      out.push(jobRequest('timers.claim-expiry', { taskId, version }, { jobId: jobId.claimExpiry(taskId, version), delay: change.at + this.config.claimWindowMs - now }));
    }
    if (to === 'returned') {
      out.push(jobRequest('timers.auto-accept', { taskId, version }, { jobId: jobId.autoAccept(taskId, version), delay: change.at + this.config.reviewWindowMs - now }));
    }
    return out;
  }

  private async relayBilling(m: EntityManager, entryIds: string[]): Promise<void> {
    const rows: LedgerRow[] = await m.query(`SELECT * FROM ledger_entries WHERE id = ANY($1::uuid[])`, [entryIds]);
    for (const row of rows) {
      const audience: string[] = [rooms.admins];
      if (row.kind === 'charge' || row.kind === 'refund' || row.kind === 'adjustment') audience.push(rooms.org(row.organization_id));
      if (row.kind === 'payout' && row.assistant_id) audience.push(rooms.user(row.assistant_id));
      this.live.emit(audience, 'billing.recorded', { entry: toEntryView(row) });
    }
  }
}
