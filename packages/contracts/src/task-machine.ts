import type { Role, TaskStatus } from './domain.js';

// The task lifecycle as data. The API runs every transition through
// `planTransition`; the dashboard uses `allowedActions` to decide which
// buttons to show, so both sides agree by construction.

export const TASK_ACTIONS = [
  'claim',
  'start',
  'release',
  'return',
  'accept',
  'revise',
  'cancel',
  'expire',
  'auto_accept',
  'dispute',
  'resolve_rework',
  'resolve_refund',
  'resolve_reassign',
] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

/** Who may perform an action relative to the task. */
export type Actor = 'assistant' | 'assignee' | 'owner' | 'admin' | 'system';

interface Rule {
  from: readonly TaskStatus[];
  to: TaskStatus;
  actors: readonly Actor[];
}

export const TASK_TRANSITIONS: Record<TaskAction, Rule> = {
  claim: { from: ['queued'], to: 'claimed', actors: ['assistant'] },
  start: { from: ['claimed'], to: 'in_progress', actors: ['assignee'] },
  release: { from: ['claimed'], to: 'queued', actors: ['assignee'] },
  return: { from: ['in_progress'], to: 'returned', actors: ['assignee'] },
  accept: { from: ['returned'], to: 'accepted', actors: ['owner'] },
  revise: { from: ['returned'], to: 'in_progress', actors: ['owner'] },
  cancel: { from: ['queued', 'claimed'], to: 'cancelled', actors: ['owner', 'admin'] },
  expire: { from: ['claimed'], to: 'queued', actors: ['system'] },
  auto_accept: { from: ['returned'], to: 'accepted', actors: ['system'] },
  // Instead of accepting or revising: the review timer stops while an admin decides.
  dispute: { from: ['returned'], to: 'disputed', actors: ['owner'] },
  // A dispute's outcomes: back to the assignee, closed with money back, or back to the queue for someone else.
  resolve_rework: { from: ['disputed'], to: 'in_progress', actors: ['admin'] },
  resolve_refund: { from: ['disputed'], to: 'accepted', actors: ['admin'] },
  resolve_reassign: { from: ['disputed'], to: 'queued', actors: ['admin'] },
};

/** The move a dispute's outcome makes. */
export const DISPUTE_OUTCOME_ACTIONS = { rework: 'resolve_rework', refund: 'resolve_refund', reassign: 'resolve_reassign' } as const satisfies Record<string, TaskAction>;

export interface ActorContext {
  role: Role | 'system';
  userId?: string;
  organizationId?: string | null;
}

export interface TaskRef {
  status: TaskStatus;
  organizationId: string;
  assigneeId: string | null;
}

/** The relations an actor has to a task; an admin is never the owner or assignee by role alone. */
export function actorsFor(ctx: ActorContext, task: TaskRef): Set<Actor> {
  const actors = new Set<Actor>();
  if (ctx.role === 'system') {
    actors.add('system');
    return actors;
  }
  if (ctx.role === 'admin') actors.add('admin');
  if (ctx.role === 'assistant') {
    actors.add('assistant');
    if (task.assigneeId !== null && task.assigneeId === ctx.userId) actors.add('assignee');
  }
  if (ctx.role === 'client' && ctx.organizationId && ctx.organizationId === task.organizationId) {
    actors.add('owner');
  }
  return actors;
}

export type TransitionPlan =
  | { ok: true; from: TaskStatus; to: TaskStatus }
  | { ok: false; reason: 'forbidden' | 'conflict'; message: string };

/**
 * Decide whether `action` may happen now. `forbidden` means this actor may
 * never do it to this task (403/404 at the API); `conflict` means the actor may,
 * but not from the task's current state (409).
 */
export function planTransition(action: TaskAction, ctx: ActorContext, task: TaskRef): TransitionPlan {
  const rule = TASK_TRANSITIONS[action];
  const actors = actorsFor(ctx, task);
  const permitted = rule.actors.some((a) => actors.has(a));
  if (!permitted) {
    return { ok: false, reason: 'forbidden', message: `not allowed to ${action.replaceAll('_', ' ')} this task` };
  }
  if (!rule.from.includes(task.status)) {
    return {
      ok: false,
      reason: 'conflict',
      message: `cannot ${action.replaceAll('_', ' ')} a task that is ${task.status.replace('_', ' ')}`,
    };
  }
  return { ok: true, from: task.status, to: rule.to };
}

export function allowedActions(ctx: ActorContext, task: TaskRef): TaskAction[] {
  return TASK_ACTIONS.filter((a) => planTransition(a, ctx, task).ok);
}

export const OPEN_STATUSES: readonly TaskStatus[] = ['queued', 'claimed', 'in_progress', 'returned', 'disputed'];
/** Work still owed: the deadline runs (and can pass) only in these states. */
export const AWAITING_RETURN_STATUSES: readonly TaskStatus[] = ['queued', 'claimed', 'in_progress'];
export const isAwaitingReturn = (status: TaskStatus): boolean => AWAITING_RETURN_STATUSES.includes(status);
/** States that count against an assistant's capacity. */
export const ACTIVE_ASSIGNMENT_STATUSES: readonly TaskStatus[] = ['claimed', 'in_progress'];
