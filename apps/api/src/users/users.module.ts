import { Module } from '@nestjs/common';
import { SessionsModule } from '../common/auth/sessions.module.js';
import { GuardsModule } from '../common/http/guards.module.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/** Accounts, admin user management and availability; sign-up and sign-in use its service. */
@Module({ imports: [GuardsModule, SessionsModule], controllers: [UsersController], providers: [UsersService], exports: [UsersService] })
export class UsersModule {}
