import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { EventsModule } from '../events/events.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { ConversationsLiveSubscriber } from './conversations-live.subscriber.js';
import { ConversationsController, MessagesController } from './conversations.controller.js';
import { ConversationsService } from './conversations.service.js';

/** Task conversations and their live fan-out; every role has it, since any role's relay hands the messages' events on. */
@Module({ imports: [EventsModule, RealtimeModule, TasksModule], providers: [ConversationsService, ConversationsLiveSubscriber], exports: [ConversationsService] })
export class ConversationsModule {}

/** The conversation routes, mounted only in roles that serve HTTP. */
@Module({ imports: [ConversationsModule, GuardsModule], controllers: [ConversationsController, MessagesController] })
export class ConversationsHttpModule {}
