import { Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  idParams,
  listNotificationsQuery,
  notificationPage,
  notificationSettingsView,
  readAllResponse,
  unreadNotifications,
  updateNotificationSettingsBody,
  type ListNotificationsQuery,
  type UpdateNotificationSettingsBody,
} from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { InboxService } from './inbox.service.js';

@ApiTags('notifications')
@ApiBearerAuth()
@GuardedController('notifications')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get()
  @Contract({ summary: 'Your inbox, newest first (`unread=true` for the unread only), with your unread count', query: listNotificationsQuery, response: notificationPage })
  list(@CurrentUser() user: AuthUser, @Input('query') q: ListNotificationsQuery) {
    return this.inbox.list(user, q);
  }

  @Get('unread-count')
  @Contract({ summary: 'How many of your notifications are unread: the bell’s badge', response: unreadNotifications })
  unread(@CurrentUser() user: AuthUser) {
    return this.inbox.unread(user);
  }

  @Post('read-all')
  @Contract({ summary: 'Mark every notification of yours read', response: readAllResponse })
  readAll(@CurrentUser() user: AuthUser) {
    return this.inbox.markAllRead(user);
  }

  @Post(':id/read')
  @Contract({ summary: 'Mark one notification read (again is fine); answers your unread count', params: idParams, response: unreadNotifications, errors: { 404: 'no such notification of yours' } })
  read(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.inbox.markRead(user, p.id);
  }
}

@ApiTags('notifications')
@ApiBearerAuth()
@GuardedController('me')
export class NotificationSettingsController {
  constructor(private readonly inbox: InboxService) {}

  @Get('notification-settings')
  @Contract({ summary: 'Your channel for each kind of notice: in the app, by e-mail (and in the app), or off', response: notificationSettingsView })
  get(@CurrentUser() user: AuthUser) {
    return this.inbox.getSettings(user);
  }

  @Put('notification-settings')
  @Contract({ summary: 'Change the channel of the kinds named; the others keep theirs', body: updateNotificationSettingsBody, response: notificationSettingsView })
  put(@CurrentUser() user: AuthUser, @Input('body') body: UpdateNotificationSettingsBody) {
    return this.inbox.updateSettings(user, body);
  }
}
