import { Module } from '@nestjs/common';
import { AuthGuard } from './auth.guard.js';
import { SessionService } from './session.service.js';
import { TokensService } from './tokens.service.js';

/** Access tokens, the sessions they name, and the guard that checks both. */
@Module({ providers: [TokensService, SessionService, AuthGuard], exports: [TokensService, SessionService, AuthGuard] })
export class SessionsModule {}
