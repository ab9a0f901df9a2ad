import { isAwaitingReturn, type Priority, type TaskStatus, type TaskView } from '@handoff/contracts';

export const STATUS_LABELS: Record<TaskStatus, string> = {
  queued: 'Queued',
  claimed: 'Claimed',
  in_progress: 'In progress',
  returned: 'Returned',
  disputed: 'Disputed',
  accepted: 'Accepted',
  cancelled: 'Cancelled',
};

export const STATUS_COLORS: Record<TaskStatus, string> = {
  queued: 'gray',
  claimed: 'blue',
  in_progress: 'indigo',
  returned: 'teal',
  disputed: 'red',
  accepted: 'green',
  cancelled: 'dark',
};

export const PRIORITY_LABELS: Record<Priority, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

export const PRIORITY_COLORS: Record<Priority, string> = {
  low: 'gray',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};

/** Overdue per the API's flag, or by the clock between fetches, while the work is still owed. */
export function isOverdue(task: Pick<TaskView, 'overdue' | 'deadline' | 'status'>, now: number): boolean {
  if (!isAwaitingReturn(task.status)) return false;
  return task.overdue || Date.parse(task.deadline) <= now;
}

export function isFinished(status: TaskStatus): boolean {
  return !isAwaitingReturn(status);
}
