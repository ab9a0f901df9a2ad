import type { LedgerEntryView, TaskView } from './schemas/tasks.js';

// The live events the gateway emits and the dashboard listens to. One map, so
// the two sides cannot drift apart.
export interface ServerToClientEvents {
  'task.updated': (payload: { task: TaskView }) => void;
  'task.available': (payload: { task: TaskView }) => void;
  'task.unavailable': (payload: { taskId: string; version: number }) => void;
  'billing.recorded': (payload: { entry: LedgerEntryView }) => void;
  'task.overdue': (payload: { task: TaskView }) => void;
  'task.escalated': (payload: { task: TaskView }) => void;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientToServerEvents {}

export type ServerEventName = keyof ServerToClientEvents;

export const rooms = {
  org: (id: string) => `org:${id}`,
  user: (id: string) => `user:${id}`,
  skill: (category: string) => `skill:${category}`,
  admins: 'admins',
} as const;
