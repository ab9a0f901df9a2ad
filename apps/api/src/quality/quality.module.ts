import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { EventsModule } from '../events/events.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { QualityController } from './quality.controller.js';
import { QualityService } from './quality.service.js';
import { RatingLiveSubscriber } from './rating-live.subscriber.js';

/** The rating's live event: its subscriber runs wherever the relay does, in every role. */
@Module({ imports: [EventsModule, RealtimeModule], providers: [RatingLiveSubscriber] })
export class QualityModule {}

/** Ratings, scorecards and preferred assistants over HTTP, only in roles that serve it. */
@Module({ imports: [EventsModule, GuardsModule], controllers: [QualityController], providers: [QualityService] })
export class QualityHttpModule {}
