import { Module } from '@nestjs/common';
import { SessionsModule } from '../common/auth/sessions.module.js';
import { GuardsModule } from '../common/http/guards.module.js';
import { RateLimitModule } from '../common/rate-limit/rate-limit.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AccountEmailService } from './account-email.service.js';
import { AuthService } from './auth.service.js';
import { EmailTokensRepository } from './email-tokens.repository.js';
import { RefreshTokensService } from './refresh-tokens.service.js';
import { TwoFactorController, TwoFactorPolicyController } from './two-factor/two-factor.controller.js';
import { TwoFactorModule } from './two-factor/two-factor.module.js';

/** Register, sign in, refresh and sign out; password reset and address verification by mail. */
@Module({
  imports: [GuardsModule, SessionsModule, RateLimitModule, UsersModule, TwoFactorModule, NotificationsModule],
  controllers: [AuthController, TwoFactorController, TwoFactorPolicyController],
  providers: [AuthService, RefreshTokensService, AccountEmailService, EmailTokensRepository],
})
export class AuthModule {}
