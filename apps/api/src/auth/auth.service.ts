import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { AuthResponse, LoginBody, RegisterBody } from '@handoff/contracts';
import { TokensService } from '../common/auth/tokens.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { burnPasswordCheck, verifyPassword } from './password.js';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  async register(body: RegisterBody): Promise<AuthResponse> {
    return this.issue(await this.users.register(body));
  }

  async login(body: LoginBody): Promise<AuthResponse> {
    const user = await this.users.findByEmailWithHash(body.email);
    if (!user) {
      await burnPasswordCheck(body.password);
      throw new UnauthorizedException('the e-mail or password is wrong');
    }
    if (!(await verifyPassword(user.passwordHash, body.password))) throw new UnauthorizedException('the e-mail or password is wrong');
    if (user.suspended) throw new ForbiddenException('the account is suspended');
    return this.issue(user);
  }

  private async issue(user: User): Promise<AuthResponse> {
    const accessToken = await this.tokens.sign({ sub: user.id, role: user.role, tv: user.tokenVersion });
    return { accessToken, expiresIn: this.tokens.accessTtlSeconds, user: await this.users.view(user) };
  }
}
