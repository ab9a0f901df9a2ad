import { Module } from '@nestjs/common';
import { IdempotencyService } from '../common/http/idempotency.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { RateCardModule } from '../rate-card/rate-card.module.js';
import { TemplateVersionsRepository } from './template-versions.repository.js';
import { TemplatesRepository } from './templates.repository.js';
import { TemplatesService } from './templates.service.js';

// Controllers are mounted by AppModule, and only in roles that serve HTTP.
@Module({
  imports: [RateCardModule, OrganizationsModule],
  providers: [TemplatesRepository, TemplateVersionsRepository, TemplatesService, IdempotencyService],
  exports: [TemplatesService],
})
export class TemplatesModule {}
