import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { AuthResponse, LoginBody, RegisterBody } from '@handoff/contracts';
import { SessionService } from '../common/auth/session.service.js';
import { TokensService } from '../common/auth/tokens.service.js';
import { LoginThrottle } from '../common/rate-limit/login-throttle.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { burnPasswordCheck, verifyPassword } from '../common/auth/password.js';
import { RefreshTokensService } from './refresh-tokens.service.js';

/** What a sign-in hands back: the body, and the refresh token that goes into the cookie. */
export interface Issued {
  body: AuthResponse;
  refreshToken: string;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
  ) {}

  async register(body: RegisterBody): Promise<Issued> {
    return this.issue(await this.users.register(body));
  }

  /** `address` is the client's, as TRUST_PROXY lets us see it: failed sign-ins are limited per account and address. */
  login(body: LoginBody, address: string): Promise<Issued> {
    return this.throttle.attempt(body.email, address, async () => {
      const user = await this.users.findByEmailWithHash(body.email);
      if (!user) {
        await burnPasswordCheck(body.password);
        throw new UnauthorizedException('the e-mail or password is wrong');
      }
      if (!(await verifyPassword(user.passwordHash, body.password))) throw new UnauthorizedException('the e-mail or password is wrong');
      if (user.suspended) throw new ForbiddenException('the account is suspended');
      return this.issue(user);
    });
  }

  /** Swap a refresh token for a new access token and a new refresh token of the same family. */
  async refresh(raw: string | undefined): Promise<Issued> {
    if (!raw) throw new UnauthorizedException('no session to refresh; sign in');
    const rotation = await this.refreshTokens.rotate(raw);
    if (!rotation.ok) {
      // A reuse ends the session's access tokens and sockets here before the answer; elsewhere by the notice.
      if (rotation.ended) await this.sessions.ended(rotation.ended);
      throw new UnauthorizedException('the session has ended; sign in again');
    }
    const user = await this.users.findById(rotation.userId);
    if (!user) throw new UnauthorizedException('the session has ended; sign in again');
    return { body: await this.body(user, rotation.sessionId), refreshToken: rotation.token };
  }

  async logout(raw: string | undefined): Promise<void> {
    if (!raw) return;
    const ended = await this.refreshTokens.revoke(raw);
    if (ended) await this.sessions.ended(ended);
  }

  private async issue(user: User): Promise<Issued> {
    const { token, sessionId } = await this.refreshTokens.issue(user.id, user.tokenVersion);
    return { body: await this.body(user, sessionId), refreshToken: token };
  }

  private async body(user: User, sessionId: string): Promise<AuthResponse> {
    const accessToken = await this.tokens.sign({ sub: user.id, role: user.role, tv: user.tokenVersion, sid: sessionId });
    return { accessToken, expiresIn: this.tokens.accessTtlSeconds, user: await this.users.view(user) };
  }
}
