import type { TaskStatus } from '@handoff/contracts';
import type { AnyDomainEvent } from '../events/domain-events.js';
import type { EventBatch } from '../events/event-bus.js';
import type { TaskWithNames } from './task.entity.js';
import type { TasksRepository } from './tasks.repository.js';

/** A task event, submitted or moved, in the one shape the subscribers reason about. */
export interface TaskChange {
  taskId: string;
  version: number;
  action: string;
  from: TaskStatus | null;
  to: TaskStatus;
  prevAssigneeId: string | null;
  /** When the change committed: windows run from here, however late the relay. */
  at: number;
}

export const TASK_EVENTS = ['task.submitted', 'task.transitioned'] as const;

export function taskChanges(events: readonly AnyDomainEvent[]): TaskChange[] {
  const changes: TaskChange[] = [];
  for (const e of events) {
    if (e.name === 'task.submitted') changes.push({ taskId: e.payload.taskId, version: e.payload.version, action: 'submit', from: null, to: 'queued', prevAssigneeId: null, at: e.at });
    else if (e.name === 'task.transitioned') {
      const { taskId, version, action, from, to, prevAssigneeId } = e.payload;
      changes.push({ taskId, version, action, from, to, prevAssigneeId, at: e.at });
    }
  }
  return changes;
}

/** Queued anew (submitted, released, reopened), as opposed to flagged while it waits: announce it and time its escalation. */
export function entersQueue(change: TaskChange): boolean {
  return change.to === 'queued' && change.action !== 'overdue' && change.action !== 'escalate';
}

/** The batch's tasks as they are now, read once for every subscriber (planned per call: TASKS_BY_ID_SQL). */
export function batchTasks(batch: EventBatch, tasks: TasksRepository): Promise<Map<string, TaskWithNames>> {
  return batch.shared('tasks', async () => {
    const ids = [...new Set(taskChanges(batch.all).map((c) => c.taskId))];
    const rows = ids.length ? await tasks.byIds(ids, batch.manager) : [];
    return new Map(rows.map((r) => [r.id, r]));
  });
}
