import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ANNOUNCE_BATCH, rooms, type TaskStatus } from '@handoff/contracts';
import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { toEntryView } from '../billing/ledger-entry.view.js';
import { LedgerRepository } from '../billing/ledger.repository.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { LiveEvents, onceEvent, type OnceEvent } from '../realtime/live-events.js';
import { OutboxRepository } from '../events/outbox.repository.js';
import type { OutboxRow } from '../events/outbox.entity.js';
import type { Task } from '../tasks/task.entity.js';
import { toTaskView } from '../tasks/task.view.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { REDIS } from '../redis/redis.module.js';
import { announceJobId, jobRequest, JobsService, type JobRequest } from './jobs.service.js';
import { Recurring } from './recurring.js';
import { TaskSnapshots } from './task-snapshots.js';
import { timerJob, type DueTimer } from './timer-sweep.js';

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

// An announce job carries at most one batch's tasks.
const BATCH = ANNOUNCE_BATCH;

/** Queued anew (submitted, released, reopened), as opposed to flagged while it waits: announce it and time its escalation. */
function entersQueue(change: TaskChange): boolean {
  return change.to === 'queued' && change.action !== 'overdue' && change.action !== 'escalate';
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

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly tasks: TasksRepository,
    private readonly ledger: LedgerRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly live: LiveEvents,
    private readonly snapshots: TaskSnapshots,
    @Inject(REDIS) redis: Redis,
  ) {
    this.loop = new Recurring(redis, config.reconcileIntervalMs, () => this.drainAll(), this.logger, 'relay');
  }

  /** Rows a process left behind when it died after its commit are relayed at start; what piled up while Redis was away, as soon as it is back. */
  onApplicationBootstrap(): void {
    this.loop.start();
  }

  /** Stop before the socket server and queues close, so a drain never talks to a closed connection. */
  onModuleDestroy(): Promise<void> {
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
      const rows = await this.outbox.lockBatch(m, BATCH);
      if (!rows.length) return { relayed: 0, keys: [] };
      const { events, jobs } = await this.effectsOf(m, rows);
      // Both sides are idempotent, so they go together; if either fails the rows stay and the whole batch is retried.
      const done = await Promise.allSettled([this.live.deliverOnce(events), this.jobs.addAll(jobs)]);
      for (const d of done) if (d.status === 'rejected') throw d.reason;
      await this.outbox.delete(m, rows.map((r) => r.id));
      return { relayed: rows.length, keys: events.filter((e) => !e.lasting).map((e) => e.key) };
    });
    // Committed: these rows will never be handed over again, so their events' markers can go.
    this.live.settle(keys);
    return relayed;
  }

  private async effectsOf(m: EntityManager, rows: OutboxRow[]): Promise<Effects> {
    const out: Effects = { events: [], jobs: [] };
    const changes = rows.filter((r) => r.topic === 'task').map((r) => ({ ...(r.payload as unknown as TaskChange), at: r.createdAt.getTime() }));
    const entryIds = rows.filter((r) => r.topic === 'billing').map((r) => r.payload.entryId as string);
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
    const rows = await this.tasks.byIds(ids, m);
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
        const audience = [rooms.org(row.organizationId), rooms.admins];
        if (row.assigneeId) audience.push(rooms.user(row.assigneeId));
        events.push(onceEvent(`task.updated/${row.id}/${row.version}`, audience, 'task.updated', { task }));
      }
      if (change.prevAssigneeId && change.prevAssigneeId !== row.assigneeId) {
        // The same snapshot can be due to the same previous assignee from two rows (released, claimed
        // again, released again, all before the relay read it), so this marker outlives the row.
        const prev = change.prevAssigneeId;
        events.push(onceEvent(`task.updated/${row.id}/${row.version}/${prev}`, [rooms.user(prev)], 'task.updated', { task }, { lasting: true }));
      }
      if (change.from === 'queued' && change.to !== 'queued') {
        events.push(onceEvent(`task.unavailable/${row.id}/${change.version}`, [rooms.skill(row.category)], 'task.unavailable', { taskId: row.id, version: change.version }));
      }
      if (change.action === 'escalate') {
        events.push(onceEvent(`task.escalated/${row.id}/${change.version}`, [rooms.admins, rooms.org(row.organizationId)], 'task.escalated', { task }));
      }
      if (change.action === 'overdue') {
        const audience = [rooms.admins, rooms.org(row.organizationId)];
        if (row.assigneeId) audience.push(rooms.user(row.assigneeId));
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
  private timersFor(change: TaskChange, row: Task, now: number): JobRequest[] {
    const due: DueTimer[] = [];
    const { taskId, version, to } = change;
    if (change.action === 'submit') due.push({ kind: 'deadline', taskId, version, due: row.deadline.getTime() });
    if (entersQueue(change) && !row.escalated) {
      const created = row.createdAt.getTime();
      due.push({ kind: 'escalation', taskId, version, due: created + (row.deadline.getTime() - created) / 2 });
    }
    if (to === 'claimed' && change.from === 'queued') due.push({ kind: 'claim-expiry', taskId, version, due: change.at + this.config.claimWindowMs });
    if (to === 'returned') due.push({ kind: 'auto-accept', taskId, version, due: change.at + this.config.reviewWindowMs });
    return due.filter((t) => t.due - now <= this.config.timerHorizonMs).map((t) => timerJob(t, now));
  }

  private async relayBilling(m: EntityManager, entryIds: string[], out: Effects): Promise<void> {
    const rows = await this.ledger.byIds(entryIds, m);
    for (const row of rows) {
      const audience: string[] = [rooms.admins];
      if (row.kind === 'charge' || row.kind === 'refund' || row.kind === 'adjustment') audience.push(rooms.org(row.organizationId));
      if (row.kind === 'payout' && row.assistantId) audience.push(rooms.user(row.assistantId));
      out.events.push(onceEvent(`billing.recorded/${row.id}`, audience, 'billing.recorded', { entry: toEntryView(row) }));
    }
  }
}
