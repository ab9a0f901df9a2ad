import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { QueuesModule } from '../dispatch/queues.module.js';
import { EventsModule } from '../events/events.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { TemplatesCoreModule } from '../templates/templates.module.js';
import { ImportRunner } from './import-runner.js';
import { ImportsLiveSubscriber } from './imports-live.subscriber.js';
import { ImportsController } from './imports.controller.js';
import { ImportsService } from './imports.service.js';

/** In every role: the progress subscriber, and the runner the imports worker calls. (The repositories are the database's.) */
@Module({
  imports: [EventsModule, RealtimeModule, TemplatesCoreModule, OrganizationsModule],
  providers: [ImportsLiveSubscriber, ImportRunner],
  exports: [ImportRunner],
})
export class ImportsModule {}

/** The `/api/imports` routes, only in roles that serve HTTP. */
@Module({ imports: [ImportsModule, EventsModule, QueuesModule, TemplatesCoreModule, GuardsModule], controllers: [ImportsController], providers: [ImportsService] })
export class ImportsHttpModule {}
