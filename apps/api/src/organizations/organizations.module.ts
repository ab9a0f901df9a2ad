import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { OrganizationSettingsService } from './organization-settings.service.js';
import { OrganizationsController } from './organizations.controller.js';
import { OrganizationsRepository } from './organizations.repository.js';

/** An organization's calendar (time zone, business hours, holidays); templates compute deadlines from it. */
@Module({
  imports: [GuardsModule],
  controllers: [OrganizationsController],
  providers: [OrganizationsRepository, OrganizationSettingsService],
  exports: [OrganizationSettingsService],
})
export class OrganizationsModule {}
