import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { BudgetNoticeLiveSubscriber } from './budget-notice-live.subscriber.js';

/** The budget notices' live event: its subscriber runs wherever the relay does, in every role. */
@Module({ imports: [EventsModule, RealtimeModule], providers: [BudgetNoticeLiveSubscriber] })
export class BudgetNoticesModule {}
