import { Module } from '@nestjs/common';
import { BudgetsService } from './budgets.service.js';

/** Monthly budgets: the check a submission passes and what a quote shows of them. */
@Module({ providers: [BudgetsService], exports: [BudgetsService] })
export class BudgetsModule {}
