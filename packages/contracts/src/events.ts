import type { BudgetNoticeLive } from './schemas/budgets.js';
import type { DisputeView } from './schemas/disputes.js';
import type { NotificationView } from './schemas/inbox.js';
import type { MessageView } from './schemas/conversations.js';
import type { ImportStatus } from './schemas/imports.js';
import type { RatingView } from './schemas/quality.js';
import type { LedgerEntryView, TaskChecklistStepView, TaskView } from './schemas/tasks.js';

// The live events the gateway emits and the dashboard listens to. One map, so
// the two sides cannot drift apart.
export interface ServerToClientEvents {
  'task.updated': (payload: { task: TaskView }) => void;
  'task.available': (payload: { task: TaskView }) => void;
  'task.unavailable': (payload: { taskId: string; version: number }) => void;
  'billing.recorded': (payload: { entry: LedgerEntryView }) => void;
  'task.overdue': (payload: { task: TaskView }) => void;
  'task.escalated': (payload: { task: TaskView }) => void;
  /** A step of a task's checklist was ticked or unticked: the checklist as it is now. */
  'task.checklist': (payload: TaskChecklistLive) => void;
  /** A message was posted on a task the recipient may read; `unread` is the recipient's own count for that task. */
  'message.created': (payload: MessageLivePayload) => void;
  /** A message was edited or deleted (a deleted one comes without its body). */
  'message.updated': (payload: MessageLivePayload) => void;
  /** The client rated (or re-rated) a task: to the assistant who did it and the organization. */
  'task.rated': (payload: { rating: RatingView }) => void;
  /** Committed spend crossed 80 % or 100 % of a monthly budget: to the organization's owners, once per threshold and month. */
  'budget.threshold': (payload: BudgetNoticeLive) => void;
  /** A new entry in the user's inbox, with their unread count after it. */
  'notification.created': (payload: { notification: NotificationView; unread: number }) => void;
  /** The user read entries (in another tab, say): the unread count now. */
  'notification.read': (payload: { unread: number }) => void;
  /** A bulk import moved on: after each chunk of rows it turned into tasks, and when it ends. */
  'import.progress': (payload: ImportProgressLive) => void;
  /** A schedule was paused because a run's submission was refused: to its organization, so its owner hears why. */
  'schedule.paused': (payload: SchedulePausedLive) => void;
  /** A dispute was opened, answered or resolved: to its organization, the assistant disputed and the admins. */
  'dispute.updated': (payload: { dispute: DisputeView }) => void;
  /** Sent just before the server ends the socket, so the client knows whether a fresh token brings it back. */
  'session.ended': (payload: { reason: SessionEndReason }) => void;
}

export interface TaskChecklistLive {
  taskId: string;
  done: number;
  total: number;
  steps: TaskChecklistStepView[];
}

export interface ImportProgressLive {
  importId: string;
  templateId: string;
  status: ImportStatus;
  total: number;
  valid: number;
  rejected: number;
  /** Tasks made from the valid rows so far. */
  created: number;
  error: string | null;
}

export interface SchedulePausedLive {
  scheduleId: string;
  name: string;
  reason: string;
  pausedAt: string;
  /** The run whose submission was refused. */
  scheduledAt: string;
}

export interface MessageLivePayload {
  taskId: string;
  message: MessageView;
  unread: number;
}

/**
 * Why the server ended a socket.
 * - `expired`: its access token's lifetime ran out without a `session.renew`; a refreshed token reconnects.
 * - `signed_out`: its session ended (sign-out, or a reused refresh token); the session is over.
 * - `revoked`: the user's access changed (suspended, deleted, a new role or token version).
 * - `unauthorized`: a `session.renew` carried a token that is not valid for this socket's user.
 */
export const SESSION_END_REASONS = ['expired', 'signed_out', 'revoked', 'unauthorized'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/**
 * The answer to `session.renew`: the socket's new expiry, or why not. `unavailable` (the server
 * could not check the token just now) leaves the socket open until its current expiry; any
 * other refusal ends it.
 */
export type SessionRenewAck = { ok: true; expiresAt: string } | { ok: false; reason: SessionEndReason | 'unavailable' };

export interface ClientToServerEvents {
  /**
   * Re-authenticate an open socket with a fresh access token of the same user, before the
   * current one expires; the socket then lasts until the new token's expiry. A token that is
   * not valid for this socket's user ends the socket.
   */
  'session.renew': (payload: { token: string }, ack: (result: SessionRenewAck) => void) => void;
}

export type ServerEventName = keyof ServerToClientEvents;

export const rooms = {
  org: (id: string) => `org:${id}`,
  user: (id: string) => `user:${id}`,
  skill: (category: string) => `skill:${category}`,
  admins: 'admins',
} as const;
