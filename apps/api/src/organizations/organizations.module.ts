import { Module } from '@nestjs/common';
import { OrganizationSettingsService } from './organization-settings.service.js';
import { OrganizationsRepository } from './organizations.repository.js';

// Controllers are mounted by AppModule, and only in roles that serve HTTP.
@Module({ providers: [OrganizationsRepository, OrganizationSettingsService], exports: [OrganizationSettingsService] })
export class OrganizationsModule {}
