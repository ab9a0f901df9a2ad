import { Module } from '@nestjs/common';
import { SessionsModule } from '../common/auth/sessions.module.js';
import { GuardsModule } from '../common/http/guards.module.js';
import { RateLimitModule } from '../common/rate-limit/rate-limit.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { RefreshTokensService } from './refresh-tokens.service.js';

/** Register, sign in, refresh and sign out. */
@Module({
  imports: [GuardsModule, SessionsModule, RateLimitModule, UsersModule],
  controllers: [AuthController],
  providers: [AuthService, RefreshTokensService],
})
export class AuthModule {}
