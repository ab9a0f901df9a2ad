import { Module } from '@nestjs/common';
import { IdempotencyService } from '../common/http/idempotency.js';
import { RateCardModule } from '../rate-card/rate-card.module.js';
import { TasksService } from './tasks.service.js';

@Module({ imports: [RateCardModule], providers: [TasksService, IdempotencyService], exports: [TasksService, IdempotencyService, RateCardModule] })
export class TasksModule {}
