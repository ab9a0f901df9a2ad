import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { EventBus } from './event-bus.js';
import { OutboxRelay } from './outbox.relay.js';
import { UnitOfWork } from './unit-of-work.js';

/** The outbox's way out, in every role: the unit of work kicks the relay after a commit, the relay hands each batch to the bus's subscribers. */
@Module({ imports: [RedisModule], providers: [EventBus, OutboxRelay, UnitOfWork], exports: [EventBus, OutboxRelay, UnitOfWork] })
export class EventsModule {}
