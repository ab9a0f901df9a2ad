import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminController } from './admin/admin.controller.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditService } from './audit/audit.service.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import { RefreshTokensService } from './auth/refresh-tokens.service.js';
import { TwoFactorController, TwoFactorPolicyController } from './auth/two-factor/two-factor.controller.js';
import { TwoFactorModule } from './auth/two-factor/two-factor.module.js';
import { BillingController } from './billing/billing.controller.js';
import { BillingModule } from './billing/billing.module.js';
import { AuthGuard } from './common/auth/auth.guard.js';
import { HttpErrorFilter } from './common/http/error-filter.js';
import { GlobalGuards } from './common/http/global-guards.js';
import { RateLimitGuard } from './common/rate-limit/rate-limit.js';
import type { AppConfig } from './config/config.js';
import { CoreModule } from './core.module.js';
import { QueuesModule } from './dispatch/queues.module.js';
import { WorkersModule } from './dispatch/workers.module.js';
import { HealthController } from './health/health.controller.js';
import { OrganizationsController } from './organizations/organizations.controller.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { HealthModule } from './health/health.module.js';
import { RateCardController } from './rate-card/rate-card.controller.js';
import { RedisWriteGuard } from './redis/redis-write.guard.js';
import { RealtimeGateway } from './realtime/realtime.gateway.js';
import { TasksController } from './tasks/tasks.controller.js';
import { TasksModule } from './tasks/tasks.module.js';
import { TemplatesController } from './templates/templates.controller.js';
import { TemplatesModule } from './templates/templates.module.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';

/**
 * One module graph, two entry points: `api` serves HTTP and sockets, `worker`
 * runs the BullMQ processors, `all` (the default) does both in one process.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const serves = config.role !== 'worker';
    const works = config.role !== 'api';
    const controllers: Type[] = serves
      ? [AuthController, UsersController, RateCardController, TasksController, AdminController, HealthController, BillingController, AuditController, OrganizationsController, TemplatesController, TwoFactorController, TwoFactorPolicyController]
      : [];
    const providers: Provider[] = [
      AuthService,
      RefreshTokensService,
      AuditService,
      UsersService,
      RedisWriteGuard,
      AuthGuard,
      RateLimitGuard,
      GlobalGuards,
      { provide: APP_FILTER, useClass: HttpErrorFilter },
    ];
    if (serves) providers.push(RealtimeGateway);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        QueuesModule.forRoot(config),
        TasksModule,
        BillingModule,
        OrganizationsModule,
        TemplatesModule,
        TwoFactorModule,
        ...(serves ? [HealthModule] : []),
        ...(works ? [WorkersModule.forRoot(config)] : []),
      ],
      controllers,
      providers,
    };
  }
}
