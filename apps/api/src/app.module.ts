import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import { AuthGuard } from './common/auth/auth.guard.js';
import { HttpErrorFilter } from './common/http/error-filter.js';
import { RateLimitGuard } from './common/rate-limit/rate-limit.js';
import type { AppConfig } from './config/config.js';
import { CoreModule } from './core.module.js';
import { HealthController } from './health/health.controller.js';
import { RateCardModule } from './rate-card/rate-card.module.js';
import { UsersController } from './users/users.controller.js';
import { UsersService } from './users/users.service.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config), RateCardModule],
      controllers: [AuthController, UsersController, HealthController],
      providers: [
        AuthService,
        UsersService,
        // Order matters: authenticate first, so rate limits can key on the user.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
