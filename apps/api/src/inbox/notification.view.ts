import type { NotificationKind, NotificationView, Role } from '@handoff/contracts';
import type { Notification } from './notification.entity.js';

/** The dashboard path that opens a task for someone of this role. */
export function taskLink(role: Role | string, taskId: string | null): string | null {
  if (!taskId) return null;
  if (role === 'client') return `/client/tasks/${taskId}`;
  if (role === 'assistant') return `/assistant/tasks/${taskId}`;
  return `/admin/tasks/${taskId}`;
}

export function toNotificationView(n: Notification, role: Role | string): NotificationView {
  return {
    id: n.id,
    kind: n.kind as NotificationKind,
    taskId: n.taskId,
    link: taskLink(role, n.taskId),
    title: n.title,
    body: n.body,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
  };
}
