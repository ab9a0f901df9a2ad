import { isAwaitingReturn, type TaskEventView, type TaskView } from '@handoff/contracts';
import type { TaskEvent } from './task-event.entity.js';
import type { Task, TaskWithNames } from './task.entity.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The flag can lag its timer by a moment; the view never does. */
export function isOverdue(task: Pick<Task, 'overdue' | 'deadline' | 'status'>, now = Date.now()): boolean {
  if (!isAwaitingReturn(task.status)) return task.overdue && task.status !== 'cancelled';
  return task.overdue || task.deadline.getTime() <= now;
}

/** The only shape in which a task leaves the API. */
export function toTaskView(task: TaskWithNames, events?: TaskEvent[]): TaskView {
  const view: TaskView = {
    id: task.id,
    organizationId: task.organizationId,
    createdBy: task.createdBy,
    title: task.title,
    instructions: task.instructions,
    category: task.category,
    priority: task.priority,
    deadline: task.deadline.toISOString(),
    priceCents: task.priceCents,
    currency: task.currency.trim(),
    status: task.status,
    assigneeId: task.assigneeId,
    assigneeName: task.assigneeName ?? null,
    result: task.result,
    feedback: task.feedback,
    onTime: task.onTime,
    overdue: isOverdue(task),
    escalated: task.escalated,
    version: task.version,
    createdAt: task.createdAt.toISOString(),
    claimedAt: iso(task.claimedAt),
    startedAt: iso(task.startedAt),
    returnedAt: iso(task.returnedAt),
    acceptedAt: iso(task.acceptedAt),
    cancelledAt: iso(task.cancelledAt),
  };
  if (task.organizationName !== undefined) view.organizationName = task.organizationName ?? undefined;
  if (events) view.events = events.map(toEventView);
  return view;
}

export function toEventView(e: TaskEvent): TaskEventView {
  return {
    id: e.id,
    action: e.action,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    actorId: e.actorId,
    actorRole: e.actorRole,
    note: e.note,
    createdAt: e.createdAt.toISOString(),
  };
}
