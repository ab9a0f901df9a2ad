import { Module } from '@nestjs/common';
import { IdempotencyService } from '../common/http/idempotency.js';
import { BillingService } from './billing.service.js';

/** Review and corrections of the ledger; recording itself happens inside the task transitions. */
@Module({ providers: [BillingService, IdempotencyService], exports: [BillingService, IdempotencyService] })
export class BillingModule {}
