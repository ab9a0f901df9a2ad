import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { QueuesModule } from '../dispatch/queues.module.js';
import { EventsModule } from '../events/events.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { InboxController, NotificationSettingsController } from './inbox.controller.js';
import { InboxService } from './inbox.service.js';
import { InboxSubscriber } from './inbox.subscriber.js';

/** The in-app inbox: its subscriber files notices in every role, since any role's relay hands events on. */
@Module({ imports: [EventsModule, RealtimeModule, QueuesModule], providers: [InboxSubscriber] })
export class InboxModule {}

/** The inbox routes, mounted only in roles that serve HTTP. */
@Module({ imports: [RealtimeModule, GuardsModule], controllers: [InboxController, NotificationSettingsController], providers: [InboxService] })
export class InboxHttpModule {}
