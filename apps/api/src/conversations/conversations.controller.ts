import { Delete, Get, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  editMessageBody,
  idParams,
  listMessagesQuery,
  markSeenBody,
  messagePage,
  messageParams,
  messageView,
  postMessageBody,
  seenResponse,
  unreadSummary,
  type EditMessageBody,
  type ListMessagesQuery,
  type MarkSeenBody,
  type PostMessageBody,
} from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { ConversationsService } from './conversations.service.js';

const NOT_YOURS = { 404: 'no such task (or message), or not a conversation you take part in' };
const AUTHOR_ONLY = { ...NOT_YOURS, 403: 'only its author may change a message', 409: 'deleted, or past the 10-minute edit window; the body names which' };

@ApiTags('conversations')
@ApiBearerAuth()
@GuardedController('tasks')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get(':id/messages')
  @Contract({
    summary: 'The task’s conversation: messages and state changes, newest page first (oldest → newest within a page), and your unread count',
    params: idParams,
    query: listMessagesQuery,
    response: messagePage,
    errors: NOT_YOURS,
  })
  list(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('query') q: ListMessagesQuery) {
    return this.conversations.list(user, p.id, q);
  }

  @Post(':id/messages')
  @Contract({ summary: 'Post a message (Markdown, stored as sent); `@name` mentions of people who may read the task are recorded', params: idParams, body: postMessageBody, response: messageView, status: 201, errors: NOT_YOURS })
  post(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: PostMessageBody) {
    return this.conversations.post(user, p.id, body.body);
  }

  @Post(':id/messages/seen')
  @Contract({ summary: 'Mark the conversation seen up to a message (the mark only moves forward)', params: idParams, body: markSeenBody, response: seenResponse, errors: NOT_YOURS })
  seen(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: MarkSeenBody) {
    return this.conversations.seen(user, p.id, body.upTo);
  }

  @Patch(':id/messages/:messageId')
  @Contract({ summary: 'Edit your message within 10 minutes of posting; it shows `editedAt`', params: messageParams, body: editMessageBody, response: messageView, errors: AUTHOR_ONLY })
  edit(@CurrentUser() user: AuthUser, @Input('params') p: { id: string; messageId: string }, @Input('body') body: EditMessageBody) {
    return this.conversations.edit(user, p.id, p.messageId, body.body);
  }

  @Delete(':id/messages/:messageId')
  @Contract({ summary: 'Delete your message; it stays as a tombstone (`deletedAt`, no body)', params: messageParams, response: messageView, errors: AUTHOR_ONLY })
  delete(@CurrentUser() user: AuthUser, @Input('params') p: { id: string; messageId: string }) {
    return this.conversations.delete(user, p.id, p.messageId);
  }
}

@ApiTags('conversations')
@ApiBearerAuth()
@GuardedController('messages')
export class MessagesController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get('unread')
  @Contract({ summary: 'Your unread messages per task and in total', response: unreadSummary })
  unread(@CurrentUser() user: AuthUser) {
    return this.conversations.unread(user);
  }
}
