import { isAwaitingReturn, type TaskChecklistStepView, type TaskChecklistView, type TaskEventView, type TaskView } from '@handoff/contracts';
import type { TaskChecklistStep } from './task-checklist-step.entity.js';
import type { TaskEvent } from './task-event.entity.js';
import type { Task, TaskWithNames } from './task.entity.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The flag can lag its timer by a moment; the view never does. */
export function isOverdue(task: Pick<Task, 'overdue' | 'deadline' | 'status'>, now = Date.now()): boolean {
  if (!isAwaitingReturn(task.status)) return task.overdue && task.status !== 'cancelled';
  return task.overdue || task.deadline.getTime() <= now;
}

/** The only shape in which a task leaves the API. */
export function toTaskView(task: TaskWithNames, events?: TaskEvent[], steps?: TaskChecklistStep[]): TaskView {
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
    templateId: task.templateId ?? null,
    templateVersionId: task.templateVersionId ?? null,
    templateVersion: task.templateVersion ?? null,
    inputs: task.inputs ?? null,
    checklist: { done: task.checklistDone ?? 0, total: task.checklistTotal ?? 0 },
  };
  if (task.organizationName !== undefined) view.organizationName = task.organizationName ?? undefined;
  if (steps) view.checklistSteps = steps.map(toStepView);
  if (events) view.events = events.map(toEventView);
  return view;
}

export function toStepView(s: TaskChecklistStep): TaskChecklistStepView {
  return {
    stepId: s.stepId,
    position: s.position,
    title: s.title,
    detail: s.detail,
    required: s.required,
    done: s.doneAt !== null,
    doneAt: iso(s.doneAt),
    doneBy: s.doneBy,
    note: s.note,
  };
}

/** A task's checklist as the tick route and the live event answer it: counted from the steps read together. */
export function toChecklistView(taskId: string, steps: TaskChecklistStep[]): TaskChecklistView {
  const views = steps.map(toStepView);
  return { taskId, done: views.filter((s) => s.done).length, total: views.length, steps: views };
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
