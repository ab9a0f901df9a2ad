import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { IdempotencyModule } from '../common/http/idempotency.module.js';
import { EventsModule } from '../events/events.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { TemplatesCoreModule } from '../templates/templates.module.js';
import { SchedulePausedSubscriber } from './schedule-paused.subscriber.js';
import { SchedulesController } from './schedules.controller.js';
import { SchedulesDue } from './schedules-due.job.js';
import { SchedulesService } from './schedules.service.js';

/**
 * In every role: the service, the periodic pass that runs due schedules (its
 * job scheduler only runs where workers do) and the subscriber that tells an
 * owner a schedule paused. (The repositories are the database's.)
 */
@Module({
  imports: [EventsModule, RealtimeModule, TasksModule, TemplatesCoreModule, OrganizationsModule],
  providers: [SchedulesService, SchedulesDue, SchedulePausedSubscriber],
  exports: [SchedulesService],
})
export class SchedulesModule {}

/** The `/api/schedules` routes, only in roles that serve HTTP. */
@Module({ imports: [SchedulesModule, GuardsModule, IdempotencyModule], controllers: [SchedulesController] })
export class SchedulesHttpModule {}
