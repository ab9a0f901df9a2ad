import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module.js';
import { GuardsModule } from '../common/http/guards.module.js';
import { EventsModule } from '../events/events.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { DisputeLiveSubscriber } from './dispute-live.subscriber.js';
import { DisputesController } from './disputes.controller.js';
import { DisputesService } from './disputes.service.js';

/** The disputes' live event: its subscriber runs wherever the relay does, in every role. */
@Module({ imports: [EventsModule, RealtimeModule], providers: [DisputeLiveSubscriber] })
export class DisputesModule {}

/** Opening, answering and resolving disputes over HTTP, only in roles that serve it. */
@Module({ imports: [EventsModule, GuardsModule, BillingModule], controllers: [DisputesController], providers: [DisputesService] })
export class DisputesHttpModule {}
