import { Controller, Get, NotFoundException, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { authResponse, loginBody, registerBody, userView, type LoginBody, type RegisterBody, type UserView } from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Public } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { byIp, byIpAndEmail, RateLimit } from '../common/rate-limit/rate-limit.js';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('register')
  @RateLimit({ name: 'register', limit: (c) => c.rateLimits.register, keys: byIp })
  @Contract({ summary: 'Create a client (with its organization) or an assistant account', body: registerBody, response: authResponse, status: 201, errors: { 409: 'e-mail already registered', 429: 'rate limited' } })
  register(@Input('body') body: RegisterBody) {
    return this.auth.register(body);
  }

  @Public()
  @Post('login')
  @RateLimit({ name: 'login', limit: (c) => c.rateLimits.login, keys: byIpAndEmail })
  @Contract({ summary: 'Exchange e-mail and password for an access token', body: loginBody, response: authResponse, errors: { 401: 'wrong e-mail or password', 403: 'suspended', 429: 'rate limited' } })
  login(@Input('body') body: LoginBody) {
    return this.auth.login(body);
  }

  @ApiBearerAuth()
  @Get('me')
  @Contract({ summary: 'The signed-in user', response: userView, errors: { 401: 'no or bad token' } })
  async me(@CurrentUser() caller: AuthUser): Promise<UserView> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new NotFoundException('user not found');
    return this.users.view(user);
  }
}
