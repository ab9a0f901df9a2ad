import { Module } from '@nestjs/common';
import { BudgetsModule } from '../budgets/budgets.module.js';
import { GuardsModule } from '../common/http/guards.module.js';
import { IdempotencyModule } from '../common/http/idempotency.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { RateCardModule } from '../rate-card/rate-card.module.js';
import { TemplateVersionsRepository } from './template-versions.repository.js';
import { TemplatesController } from './templates.controller.js';
import { TemplatesRepository } from './templates.repository.js';
import { TemplatesService } from './templates.service.js';

/** The process library's service: versioned SOP templates, starters, and what a task from one gets (tasks submit through it). */
@Module({
  imports: [RateCardModule, OrganizationsModule, BudgetsModule],
  providers: [TemplatesRepository, TemplateVersionsRepository, TemplatesService],
  exports: [TemplatesService],
})
export class TemplatesCoreModule {}

/** The template routes, mounted only in roles that serve HTTP. */
@Module({ imports: [TemplatesCoreModule, GuardsModule, IdempotencyModule], controllers: [TemplatesController] })
export class TemplatesModule {}
