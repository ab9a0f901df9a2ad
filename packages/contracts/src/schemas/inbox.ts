import { z } from 'zod';
import { listQuery } from './common.js';

/** What can land in someone's inbox; each user picks a channel per kind. */
export const NOTIFICATION_KINDS = [
  'task_available',
  'task_claimed',
  'task_returned',
  'revision_requested',
  'task_accepted',
  'task_overdue',
  'message',
  'mention',
  'refund_posted',
  'webhook_disabled',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_CHANNELS = ['app', 'email', 'off'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/**
 * Until a user chooses: everything in the app, except new work in one's skills,
 * which the live board already shows to assistants who are online, and a
 * webhook endpoint turned off, which its owner should hear of away from the dashboard too.
 */
export const DEFAULT_NOTIFICATION_CHANNELS: Record<NotificationKind, NotificationChannel> = {
  task_available: 'off',
  task_claimed: 'app',
  task_returned: 'app',
  revision_requested: 'app',
  task_accepted: 'app',
  task_overdue: 'app',
  message: 'app',
  mention: 'app',
  refund_posted: 'app',
  webhook_disabled: 'email',
};

export const notificationKind = z.enum(NOTIFICATION_KINDS, { message: `must be one of ${NOTIFICATION_KINDS.join(', ')}` });
export const notificationChannel = z.enum(NOTIFICATION_CHANNELS, { message: `must be one of ${NOTIFICATION_CHANNELS.join(', ')}` });

export const listNotificationsQuery = listQuery
  .extend({ unread: z.enum(['true', 'false'], { message: 'must be true or false' }).optional() })
  .strict();
export type ListNotificationsQuery = z.infer<typeof listNotificationsQuery>;

export const notificationView = z.object({
  id: z.string(),
  kind: notificationKind,
  /** The task it is about, and the dashboard path that opens it for this user. */
  taskId: z.string().nullable(),
  link: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type NotificationView = z.infer<typeof notificationView>;

export const notificationPage = z.object({ items: z.array(notificationView), nextCursor: z.string().nullable(), unread: z.number().int() });
export type NotificationPage = z.infer<typeof notificationPage>;

export const unreadNotifications = z.object({ unread: z.number().int() });
export type UnreadNotifications = z.infer<typeof unreadNotifications>;

export const readAllResponse = z.object({ updated: z.number().int(), unread: z.number().int() });

export const notificationSettingsView = z.object({ channels: z.record(notificationKind, notificationChannel) });
export type NotificationSettingsView = z.infer<typeof notificationSettingsView>;

/** Only the kinds named change; an empty object changes nothing. */
export const updateNotificationSettingsBody = z.strictObject({
  channels: z.partialRecord(notificationKind, notificationChannel, { message: 'must be an object of kind → channel' }),
});
export type UpdateNotificationSettingsBody = z.infer<typeof updateNotificationSettingsBody>;
