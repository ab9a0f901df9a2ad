import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { IdempotencyModule } from '../common/http/idempotency.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { RateCardModule } from '../rate-card/rate-card.module.js';
import { TemplateVersionsRepository } from './template-versions.repository.js';
import { TemplatesController } from './templates.controller.js';
import { TemplatesRepository } from './templates.repository.js';
import { TemplatesService } from './templates.service.js';

/** The process library: versioned SOP templates, starters and the preview of price and deadline. */
@Module({
  imports: [GuardsModule, IdempotencyModule, RateCardModule, OrganizationsModule],
  controllers: [TemplatesController],
  providers: [TemplatesRepository, TemplateVersionsRepository, TemplatesService],
  exports: [TemplatesService],
})
export class TemplatesModule {}
