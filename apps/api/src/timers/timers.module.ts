import { Module } from '@nestjs/common';
import { QueuesModule } from '../dispatch/queues.module.js';
import { EventsModule } from '../events/events.module.js';
import { TimersSubscriber } from './timers.subscriber.js';

/** The timers a change calls for, queued by its subscriber in every role; the sweep and processor run with the workers. */
@Module({ imports: [EventsModule, QueuesModule], providers: [TimersSubscriber] })
export class TimersModule {}
