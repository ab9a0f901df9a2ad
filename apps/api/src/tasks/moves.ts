import { PRIORITIES, type Priority, type TaskAction, type TaskStatus } from '@handoff/contracts';
import type { Task } from './task.entity.js';
import type { TransitionInput } from './tasks.repository.js';

/**
 * Every move a task can make, each with exactly what it needs. What a move
 * writes and guards is fixed per action inside `TasksRepository`; callers
 * choose the move, never the SQL.
 */
export type Move =
  | { action: 'claim'; assistantId: string }
  | { action: 'start' }
  | { action: 'release' }
  | { action: 'accept' }
  | { action: 'cancel' }
  | { action: 'overdue' }
  | { action: 'return'; result: string; feeBps: number }
  | { action: 'revise'; feedback: string }
  // The timers' moves hold only for the version they were scheduled for.
  | { action: 'expire'; version: number }
  | { action: 'auto_accept'; version: number }
  | { action: 'escalate'; priority: Priority }
  // A dispute's moves (DisputesService): opened by the client, resolved by an admin.
  | { action: 'dispute' }
  | { action: 'resolve_rework'; feedback: string }
  | { action: 'resolve_refund' }
  | { action: 'resolve_reassign' };

export type MoveAction = Move['action'];

/** The moves a signed-in user asks for by name (claims and disputes have their own paths; the rest are the timers'). */
export type UserAction = Exclude<TaskAction, 'claim' | 'expire' | 'auto_accept' | DisputeAction>;

/** The moves a dispute makes. */
export type DisputeAction = 'dispute' | 'resolve_rework' | 'resolve_refund' | 'resolve_reassign';

/** The timers' moves. */
export type SystemAction = 'expire' | 'auto_accept' | 'overdue' | 'escalate';

/** A user's move with its input: the result of a return (billed at `feeBps`), the feedback of a revision. */
export function userMove(action: UserAction, input: { result?: string; feedback?: string }, feeBps: number): Move {
  switch (action) {
    case 'return':
      return { action, result: input.result ?? '', feeBps };
    case 'revise':
      return { action, feedback: input.feedback ?? '' };
    case 'start':
    case 'release':
    case 'accept':
    case 'cancel':
      return { action };
  }
}

export interface SystemMove {
  move: Move;
  from: TaskStatus;
  to: TaskStatus;
  note: string;
}

/** A timer's move on the task as it is now (the version it holds is the one the move is for). */
export function systemMove(action: SystemAction, current: Pick<Task, 'status' | 'priority' | 'version'>): SystemMove {
  switch (action) {
    case 'expire':
      return { move: { action, version: current.version }, from: 'claimed', to: 'queued', note: 'not started within the claim window' };
    case 'auto_accept':
      return { move: { action, version: current.version }, from: 'returned', to: 'accepted', note: 'not reviewed within the review window' };
    case 'overdue':
      return { move: { action }, from: current.status, to: current.status, note: 'the deadline passed before the work came back' };
    case 'escalate': {
      const priority = PRIORITIES[Math.min(PRIORITIES.indexOf(current.priority) + 1, PRIORITIES.length - 1)]!;
      return { move: { action, priority }, from: 'queued', to: 'queued', note: `unclaimed past half its time; priority ${current.priority} → ${priority}` };
    }
  }
}

/** A claim of the task by the assistant: one conditional statement that also takes a slot of their capacity. */
export function claimInput(assistantId: string, taskId: string): TransitionInput {
  return { taskId, move: { action: 'claim', assistantId }, from: 'queued', to: 'claimed', actor: { id: assistantId, role: 'assistant' } };
}
