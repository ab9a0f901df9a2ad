import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminModule } from './admin/admin.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BillingModule } from './billing/billing.module.js';
import { ConversationsHttpModule, ConversationsModule } from './conversations/conversations.module.js';
import { HttpErrorFilter } from './common/http/error-filter.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EventsModule } from './events/events.module.js';
import { QueuesModule } from './dispatch/queues.module.js';
import { WorkersModule } from './workers/workers.module.js';
import { HealthModule } from './health/health.module.js';
import { RateCardModule } from './rate-card/rate-card.module.js';
import { RealtimeGatewayModule, RealtimeModule } from './realtime/realtime.module.js';
import { TasksHttpModule } from './tasks/tasks.module.js';
import { TimersModule } from './timers/timers.module.js';
import { UsersModule } from './users/users.module.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { ProcessHttpModule } from './process/process.module.js';
import { WebhooksHttpModule, WebhooksModule } from './webhooks/webhooks.module.js';
import { QualityHttpModule, QualityModule } from './quality/quality.module.js';
import { BudgetNoticesModule } from './budget-notices/budget-notices.module.js';
import { InboxHttpModule, InboxModule } from './inbox/inbox.module.js';
import { ImportsHttpModule, ImportsModule } from './imports/imports.module.js';
import { SchedulesHttpModule, SchedulesModule } from './schedules/schedules.module.js';
import { QualificationsHttpModule } from './qualifications/qualifications.module.js';
import { DisputesHttpModule, DisputesModule } from './disputes/disputes.module.js';
import { FilesHttpModule } from './files/files.module.js';

/** What serves HTTP and sockets: each domain's module with its own controllers. */
const SERVING = [
  AuthModule,
  UsersModule,
  RateCardModule,
  TasksHttpModule,
  AdminModule,
  HealthModule,
  BillingModule,
  AuditModule,
  RealtimeGatewayModule,
  OrganizationsModule,
  TemplatesModule,
  ConversationsHttpModule,
  WebhooksHttpModule,
  QualityHttpModule,
  InboxHttpModule,
  ProcessHttpModule,
  ImportsHttpModule,
  SchedulesHttpModule,
  QualificationsHttpModule,
  DisputesHttpModule,
  FilesHttpModule,
];


/**
 * One module graph, two entry points: `api` serves HTTP and sockets, `worker`
 * runs the BullMQ processors, `all` (the default) does both in one process.
 * The outbox relay, its subscribers and the queues run in every role.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const serves = config.role !== 'worker';
    const works = config.role !== 'api';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config),
        EventsModule,
        RealtimeModule,
        QueuesModule,
        TimersModule,
        ConversationsModule,
        WebhooksModule,
        QualityModule,
        BudgetNoticesModule,
        InboxModule,
        ImportsModule,
        SchedulesModule,
        DisputesModule,
        ...(serves ? SERVING : []),
        ...(works ? [WorkersModule.forRoot(config)] : []),
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
