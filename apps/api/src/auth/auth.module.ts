import { Module } from '@nestjs/common';
import { SessionsModule } from '../common/auth/sessions.module.js';
import { GuardsModule } from '../common/http/guards.module.js';
import { RateLimitModule } from '../common/rate-limit/rate-limit.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { RefreshTokensService } from './refresh-tokens.service.js';
import { TwoFactorController, TwoFactorPolicyController } from './two-factor/two-factor.controller.js';
import { TwoFactorModule } from './two-factor/two-factor.module.js';

/** Register, sign in, refresh and sign out. */
@Module({
  imports: [GuardsModule, SessionsModule, RateLimitModule, UsersModule, TwoFactorModule],
  controllers: [AuthController, TwoFactorController, TwoFactorPolicyController],
  providers: [AuthService, RefreshTokensService],
})
export class AuthModule {}
