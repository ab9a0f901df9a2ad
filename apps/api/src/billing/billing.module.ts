import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { IdempotencyModule } from '../common/http/idempotency.module.js';
import { EventsModule } from '../events/events.module.js';
import { BillingController } from './billing.controller.js';
import { BillingService } from './billing.service.js';

/** Review and corrections of the ledger; recording itself happens inside the task transitions. A dispute's refund is a correction too. */
@Module({ imports: [GuardsModule, IdempotencyModule, EventsModule], controllers: [BillingController], providers: [BillingService], exports: [BillingService] })
export class BillingModule {}
