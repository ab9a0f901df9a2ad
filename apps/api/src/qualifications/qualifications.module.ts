import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { EventsModule } from '../events/events.module.js';
import { QualificationsController } from './qualifications.controller.js';
import { QualificationsService } from './qualifications.service.js';

/** Qualifications over HTTP, only in roles that serve it; claims and the announce read the grants through the tasks' statements. */
@Module({ imports: [EventsModule, GuardsModule], controllers: [QualificationsController], providers: [QualificationsService] })
export class QualificationsHttpModule {}
