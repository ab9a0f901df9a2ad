import { Injectable, NotFoundException } from '@nestjs/common';
import {
  DEFAULT_NOTIFICATION_CHANNELS,
  NOTIFICATION_KINDS,
  rooms,
  type ListNotificationsQuery,
  type NotificationChannel,
  type NotificationKind,
  type NotificationPage,
  type NotificationSettingsView,
  type UpdateNotificationSettingsBody,
} from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { decodeCursor, toPage } from '../common/http/pagination.js';
import { LiveEvents } from '../realtime/live-events.js';
import { NotificationSettingsRepository } from './notification-settings.repository.js';
import { toNotificationView } from './notification.view.js';
import { NotificationsRepository } from './notifications.repository.js';

/** Everyone's own inbox and channel choices; nobody reads another's (404). */
@Injectable()
export class InboxService {
  constructor(
    private readonly inbox: NotificationsRepository,
    private readonly settings: NotificationSettingsRepository,
    private readonly live: LiveEvents,
  ) {}

  async list(user: AuthUser, q: ListNotificationsQuery): Promise<NotificationPage> {
    const [rows, unread] = await Promise.all([
      this.inbox.page(user.id, { unread: q.unread === 'true', cursor: decodeCursor(q.cursor), limit: q.limit }),
      this.unread(user),
    ]);
    const page = toPage(rows, q.limit, (r) => toNotificationView(r, user.role), (r) => ({ at: r.cursor_at, id: r.id }));
    return { ...page, unread: unread.unread };
  }

  async unread(user: AuthUser): Promise<{ unread: number }> {
    return { unread: (await this.inbox.unread([user.id])).get(user.id) ?? 0 };
  }

  async markRead(user: AuthUser, id: string): Promise<{ unread: number }> {
    if (!(await this.inbox.markRead(user.id, id))) throw new NotFoundException('notification not found');
    return this.announceUnread(user);
  }

  async markAllRead(user: AuthUser): Promise<{ updated: number; unread: number }> {
    const updated = await this.inbox.markAllRead(user.id);
    return { updated, ...(await this.announceUnread(user)) };
  }

  async getSettings(user: AuthUser): Promise<NotificationSettingsView> {
    const chosen = new Map((await this.settings.forUsers([user.id])).map((c) => [c.kind, c.channel]));
    const channels = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, chosen.get(k) ?? DEFAULT_NOTIFICATION_CHANNELS[k]])) as Record<NotificationKind, NotificationChannel>;
    return { channels };
  }

  async updateSettings(user: AuthUser, body: UpdateNotificationSettingsBody): Promise<NotificationSettingsView> {
    const choices = Object.entries(body.channels).flatMap(([kind, channel]) => (channel ? [{ kind: kind as NotificationKind, channel }] : []));
    await this.settings.set(user.id, choices);
    return this.getSettings(user);
  }

  /** The user's other tabs move their badge too. */
  private async announceUnread(user: AuthUser): Promise<{ unread: number }> {
    const now = await this.unread(user);
    this.live.emit([rooms.user(user.id)], 'notification.read', now);
    return now;
  }
}
