import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { BudgetsModule } from '../budgets/budgets.module.js';
import { GuardsModule } from '../common/http/guards.module.js';
import { IdempotencyModule } from '../common/http/idempotency.module.js';
import { EventsModule } from '../events/events.module.js';
import { RateCardModule } from '../rate-card/rate-card.module.js';
import { TemplatesCoreModule } from '../templates/templates.module.js';
import { TasksController } from './tasks.controller.js';
import { TasksService } from './tasks.service.js';

/** Submit, list, claim and the transitions; every role has it (the timers' processor moves tasks too). */
@Module({ imports: [EventsModule, TemplatesCoreModule, BudgetsModule, RateCardModule, OrganizationsModule], providers: [TasksService], exports: [TasksService] })
export class TasksModule {}

/** The task routes, mounted only in roles that serve HTTP. */
@Module({ imports: [TasksModule, RateCardModule, IdempotencyModule, GuardsModule], controllers: [TasksController] })
export class TasksHttpModule {}
