import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { TemplatesCoreModule } from '../templates/templates.module.js';
import { ProcessController } from './process.controller.js';
import { ProcessService } from './process.service.js';

/** A template's process view over HTTP: its tasks and their figures, read from the tasks and the ledger. */
@Module({ imports: [TemplatesCoreModule, OrganizationsModule, GuardsModule], controllers: [ProcessController], providers: [ProcessService] })
export class ProcessHttpModule {}
