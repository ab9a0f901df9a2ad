import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ANNOUNCE_BATCH, rooms, type LedgerEntryView, type TaskStatus } from '@handoff/contracts';
import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { OutboxSignal } from '../database/outbox-signal.js';
import { query, rowsOf } from '../database/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { LiveEvents, onceEvent, type OnceEvent } from '../realtime/live-events.js';
import { TASKS_BY_ID_SQL, toTaskView, type TaskRow } from '../tasks/task-row.js';
import { REDIS } from '../redis/redis.module.js';
import { announceJobId, jobRequest, JobsService, type JobRequest } from './jobs.service.js';
import { Recurring } from './recurring.js';
import { TaskSnapshots } from './task-snapshots.js';
import { timerJob, type DueTimer } from './timer-sweep.js';

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
  task_title: string;
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
    taskTitle: r.task_title,
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

/** What one batch of outbox rows calls for. */
interface Effects {
  events: OnceEvent[];
  jobs: JobRequest[];
}

/**
 * Relays what a commit promised (socket events, dispatch, timers) from the
 * outbox table to Redis. Kicked right after each commit and swept on a timer,
 * so a process that dies between commit and relay loses nothing: another
 * process (or this one, restarted) picks the rows up. A batch is handed over
 * at least once (again after any failure before its DELETE commits), and each
 * effect takes it once: jobs by their deterministic ids, live events by their
 * key (`LiveEvents.deliverOnce`), so each socket gets each version once.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('outbox');
  private readonly loop: Recurring;
  private readonly unlisten: () => void;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly live: LiveEvents,
    private readonly snapshots: TaskSnapshots,
    @Inject(REDIS) redis: Redis,
    signal: OutboxSignal,
  ) {
    this.loop = new Recurring(redis, config.reconcileIntervalMs, () => this.drainAll(), this.logger, 'relay');
    this.unlisten = signal.listen(() => this.kick());
  }

  /** Rows a process left behind when it died after its commit are relayed at start; what piled up while Redis was away, as soon as it is back. */
  onApplicationBootstrap(): void {
    this.loop.start();
  }

  /** Stop before the socket server and queues close, so a drain never talks to a closed connection. */
  onModuleDestroy(): Promise<void> {
    this.unlisten();
    return this.loop.stop();
  }

  /** Drain soon; calls made while a drain runs coalesce into one more pass. */
  kick(): void {
    this.loop.kick();
  }

  /** For tests: resolves once everything committed so far is relayed, and this process's sockets have its live events. */
  async flush(): Promise<void> {
    await this.loop.idle();
    await this.drainAll();
    await this.live.delivered();
  }

  private async drainAll(): Promise<void> {
    while (!this.loop.isStopped && (await this.drainBatch()) === BATCH) {
      // keep going while full batches come back
    }
  }

  private async drainBatch(): Promise<number> {
    const { relayed, keys } = await this.ds.transaction(async (m) => {
      const rows = await query<OutboxRow>(m, `SELECT id, topic, payload, created_at FROM outbox ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`);
      if (!rows.length) return { relayed: 0, keys: [] };
      const { events, jobs } = await this.effectsOf(m, rows);
      // Both sides are idempotent, so they go together; if either fails the rows stay and the whole batch is retried.
      const done = await Promise.allSettled([this.live.deliverOnce(events), this.jobs.addAll(jobs)]);
      for (const d of done) if (d.status === 'rejected') throw d.reason;
      await query(m, `DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return { relayed: rows.length, keys: events.filter((e) => !e.lasting).map((e) => e.key) };
    });
    // Committed: these rows will never be handed over again, so their events' markers can go.
    this.live.settle(keys);
    return relayed;
  }

  private async effectsOf(m: EntityManager, rows: OutboxRow[]): Promise<Effects> {
    const out: Effects = { events: [], jobs: [] };
    const changes = rows.filter((r) => r.topic === 'task').map((r) => ({ ...(r.payload as TaskChange), at: r.created_at.getTime() }));
    const entryIds = rows.filter((r) => r.topic === 'billing').map((r) => (r.payload as { entryId: string }).entryId);
    if (changes.length) await this.relayTasks(m, changes, out);
    if (entryIds.length) await this.relayBilling(m, entryIds, out);
    return out;
  }

  /**
   * Each event's key names what it stands for, so a batch retried or a
   * version met in two batches sends it once: the snapshot by its task and
   * version (and the previous assignee it is for), the others by the change
   * that caused them.
   */
  private async relayTasks(m: EntityManager, changes: TaskChange[], out: Effects): Promise<void> {
    const ids = [...new Set(changes.map((c) => c.taskId))];
    const rows = rowsOf<TaskRow>(await m.query(TASKS_BY_ID_SQL, [ids]));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const newest = new Map<string, number>();
    for (const c of changes) newest.set(c.taskId, Math.max(newest.get(c.taskId) ?? 0, c.version));
    const announced = new Set<string>();
    const now = Date.now();
    const { events, jobs } = out;
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
        events.push(onceEvent(`task.updated/${row.id}/${row.version}`, audience, 'task.updated', { task }));
      }
      if (change.prevAssigneeId && change.prevAssigneeId !== row.assignee_id) {
        // The same snapshot can be due to the same previous assignee from two rows (released, claimed
        // again, released again, all before the relay read it), so this marker outlives the row.
        const prev = change.prevAssigneeId;
        events.push(onceEvent(`task.updated/${row.id}/${row.version}/${prev}`, [rooms.user(prev)], 'task.updated', { task }, { lasting: true }));
      }
      if (change.from === 'queued' && change.to !== 'queued') {
        events.push(onceEvent(`task.unavailable/${row.id}/${change.version}`, [rooms.skill(row.category)], 'task.unavailable', { taskId: row.id, version: change.version }));
      }
      if (change.action === 'escalate') {
        events.push(onceEvent(`task.escalated/${row.id}/${change.version}`, [rooms.admins, rooms.org(row.organization_id)], 'task.escalated', { task }));
      }
      if (change.action === 'overdue') {
        const audience = [rooms.admins, rooms.org(row.organization_id)];
        if (row.assignee_id) audience.push(rooms.user(row.assignee_id));
        events.push(onceEvent(`task.overdue/${row.id}/${change.version}`, audience, 'task.overdue', { task }));
      }
      if (entersQueue(change)) {
        toAnnounce.push({ taskId: change.taskId, version: change.version });
        if (row.status === 'queued') this.snapshots.keep(task);
      }
      jobs.push(...this.timersFor(change, row, now));
    }
    if (toAnnounce.length) jobs.push(jobRequest('dispatch.announce', { tasks: toAnnounce }, { jobId: announceJobId(toAnnounce) }));
  }

  /**
   * The timers a change calls for, due from the database's timestamps. Only
   * those due within the horizon are queued now; `TimerSweep` queues the rest
   * when they come that close, if the task still needs them then.
   */
  private timersFor(change: TaskChange, row: TaskRow, now: number): JobRequest[] {
    const due: DueTimer[] = [];
    const { taskId, version, to } = change;
    if (change.action === 'submit') due.push({ kind: 'deadline', taskId, version, due: row.deadline.getTime() });
    if (entersQueue(change) && !row.escalated) {
      const created = row.created_at.getTime();
      due.push({ kind: 'escalation', taskId, version, due: created + (row.deadline.getTime() - created) / 2 });
    }
    if (to === 'claimed' && change.from === 'queued') due.push({ kind: 'claim-expiry', taskId, version, due: change.at + this.config.claimWindowMs });
    if (to === 'returned') due.push({ kind: 'auto-accept', taskId, version, due: change.at + this.config.reviewWindowMs });
    return due.filter((t) => t.due - now <= this.config.timerHorizonMs).map((t) => timerJob(t, now));
  }

  private async relayBilling(m: EntityManager, entryIds: string[], out: Effects): Promise<void> {
    const rows: LedgerRow[] = await m.query(`SELECT l.*, t.title AS task_title FROM ledger_entries l JOIN tasks t ON t.id = l.task_id WHERE l.id = ANY($1::uuid[])`, [entryIds]);
    for (const row of rows) {
      const audience: string[] = [rooms.admins];
      if (row.kind === 'charge' || row.kind === 'refund' || row.kind === 'adjustment') audience.push(rooms.org(row.organization_id));
      if (row.kind === 'payout' && row.assistant_id) audience.push(rooms.user(row.assistant_id));
      out.events.push(onceEvent(`billing.recorded/${row.id}`, audience, 'billing.recorded', { entry: toEntryView(row) }));
    }
  }
}
