import type { QueueName } from '@handoff/contracts';
import type { TaskFilters } from './endpoints';

// Every task-bearing query lives under ['tasks', ...] so the live layer can find and patch them all.
export const qk = {
  me: ['me'] as const,
  twoFactor: ['me', 'two-factor'] as const,
  twoFactorPolicy: (organizationId: string) => ['two-factor-policy', organizationId] as const,
  tasks: ['tasks'] as const,
  taskLists: ['tasks', 'list'] as const,
  taskList: (filters: TaskFilters) => ['tasks', 'list', filters] as const,
  taskDetail: (id: string) => ['tasks', 'detail', id] as const,
  available: ['tasks', 'available'] as const,
  /** Everything on the admin's queue-health page; refetched (not patched) when a task moves. */
  admin: ['admin'] as const,
  /** Outside ['tasks'] on purpose: counts are refetched, not patched by events. */
  taskCounts: (status: string) => ['admin', 'task-counts', status] as const,
  /** Outside ['tasks']: a conversation is patched by message events, not task snapshots. */
  conversation: (taskId: string) => ['conversation', taskId] as const,
  unread: ['unread'] as const,
  /** Outside ['tasks']: a rating is not a task for the live layer to patch; `task.rated` refetches it. */
  taskRating: (id: string) => ['rating', id] as const,
  scorecard: (assistantId: string, window: number) => ['scorecard', assistantId, window] as const,
  preferredAssistants: (organizationId: string) => ['preferred-assistants', organizationId] as const,
  quote: (category: string, priority: string) => ['quote', category, priority] as const,
  organizationSettings: (organizationId: string) => ['organization-settings', organizationId] as const,
  rateCard: ['rate-card'] as const,
  /** Refetched on `dispute.updated`. */
  disputes: ['disputes'] as const,
  disputeList: (status: string) => ['disputes', status] as const,
  /** The inbox: its pages and the bell's count, patched or refetched on `notification.*` events. */
  notifications: ['notifications'] as const,
  notificationList: (unreadOnly: boolean) => ['notifications', 'list', unreadOnly] as const,
  notificationCount: ['notifications', 'count'] as const,
  notificationSettings: ['me', 'notification-settings'] as const,
  schedules: ['schedules'] as const,
  scheduleRuns: (id: string) => ['schedules', id, 'runs'] as const,
  templates: ['templates'] as const,
  template: (id: string) => ['templates', id] as const,
  templateProcess: (id: string) => ['templates', id, 'process'] as const,
  templateRuns: (id: string) => ['templates', id, 'runs'] as const,
  templatePreview: (id: string, inputs: unknown, priority: string) => ['templates', id, 'preview', inputs, priority] as const,
  users: (role?: string) => ['users', role ?? 'all'] as const,
  billing: (kind?: string) => ['billing', 'entries', kind ?? 'all'] as const,
  queues: ['admin', 'queues'] as const,
  /** Under `queues`, so invalidating the counts refetches the failed-job lists with them. */
  failedJobs: (queue: QueueName, limit?: number) => ['admin', 'queues', queue, 'failed', limit ?? 'default'] as const,
};
