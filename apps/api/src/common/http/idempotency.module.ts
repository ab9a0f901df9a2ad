import { Module } from '@nestjs/common';
import { IdempotencyService } from './idempotency.js';

/** `Idempotency-Key` records, provided once for every controller that honours the header. */
@Module({ providers: [IdempotencyService], exports: [IdempotencyService] })
export class IdempotencyModule {}
