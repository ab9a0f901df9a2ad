import { Module } from '@nestjs/common';
import { EventsModule } from '../../events/events.module.js';
import { IdempotencyService } from './idempotency.js';

/** `Idempotency-Key` records, provided once for every controller that honours the header. */
@Module({ imports: [EventsModule], providers: [IdempotencyService], exports: [IdempotencyService] })
export class IdempotencyModule {}
