import { Injectable, type OnModuleInit } from '@nestjs/common';
import { rooms } from '@handoff/contracts';
import { toEntryView } from '../billing/ledger-entry.view.js';
import { LedgerRepository } from '../billing/ledger.repository.js';
import { eventsNamed } from '../events/domain-events.js';
import { EventBus, type EventBatch, type EventSubscriber } from '../events/event-bus.js';
import { batchTasks, TASK_EVENTS, taskChanges } from '../tasks/task-changes.js';
import { TaskChecklistStepsRepository } from '../tasks/task-checklist-steps.repository.js';
import { toChecklistView, toTaskView } from '../tasks/task.view.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { LiveEvents, onceEvent, type OnceEvent } from './live-events.js';

/**
 * The live stream's share of each event: who sees which task snapshot, which
 * task left the queue, which ledger entry. Each live event's key names what it
 * stands for, so a batch retried or a version met in two batches sends it once
 * (`LiveEvents.deliverOnce`): the snapshot by its task and version (and the
 * previous assignee it is for), the others by the change that caused them.
 */
@Injectable()
export class LiveFanoutSubscriber implements EventSubscriber, OnModuleInit {
  readonly name = 'live';
  readonly events = [...TASK_EVENTS, 'task.checklist_ticked', 'ledger.recorded'] as const;

  constructor(
    private readonly bus: EventBus,
    private readonly live: LiveEvents,
    private readonly tasks: TasksRepository,
    private readonly ledger: LedgerRepository,
    private readonly steps: TaskChecklistStepsRepository,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
  }

  async handle(batch: EventBatch): Promise<() => void> {
    const events = [...(await this.taskEvents(batch)), ...(await this.checklistEvents(batch)), ...(await this.ledgerEvents(batch))];
    return this.live.handOn(events);
  }

  idle(): Promise<void> {
    return this.live.delivered();
  }

  private async taskEvents(batch: EventBatch): Promise<OnceEvent[]> {
    const changes = taskChanges(batch.events);
    if (!changes.length) return [];
    const byId = await batchTasks(batch, this.tasks);
    const newest = new Map<string, number>();
    for (const c of changes) newest.set(c.taskId, Math.max(newest.get(c.taskId) ?? 0, c.version));
    const announced = new Set<string>();
    const events: OnceEvent[] = [];
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
    }
    return events;
  }

  /**
   * A tick's checklist, as it is now, to the people who see the task: its
   * organization, its assignee, admins. One per task of the batch, keyed by the
   * batch's newest tick of it, so a retried batch sends it once.
   */
  private async checklistEvents(batch: EventBatch): Promise<OnceEvent[]> {
    const newest = new Map<string, string>();
    for (const e of batch.events) if (e.name === 'task.checklist_ticked') newest.set(e.payload.taskId, e.id);
    if (!newest.size) return [];
    const ids = [...newest.keys()];
    const [rows, steps] = await Promise.all([this.tasks.byIds(ids, batch.manager), this.steps.forTasks(ids, batch.manager)]);
    return rows.map((row) => {
      const audience = [rooms.org(row.organizationId), rooms.admins];
      if (row.assigneeId) audience.push(rooms.user(row.assigneeId));
      const checklist = toChecklistView(row.id, steps.filter((s) => s.taskId === row.id));
      return onceEvent(`task.checklist/${row.id}/${newest.get(row.id)}`, audience, 'task.checklist', checklist);
    });
  }

  private async ledgerEvents(batch: EventBatch): Promise<OnceEvent[]> {
    const ids = eventsNamed(batch.events, 'ledger.recorded').map((e) => e.payload.entryId);
    if (!ids.length) return [];
    return (await this.ledger.byIds(ids, batch.manager)).map((row) => {
      const audience: string[] = [rooms.admins];
      if (row.kind === 'charge' || row.kind === 'refund' || row.kind === 'adjustment') audience.push(rooms.org(row.organizationId));
      if (row.kind === 'payout' && row.assistantId) audience.push(rooms.user(row.assistantId));
      return onceEvent(`billing.recorded/${row.id}`, audience, 'billing.recorded', { entry: toEntryView(row) });
    });
  }
}
