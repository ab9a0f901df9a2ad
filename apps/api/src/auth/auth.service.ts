import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { AuthResponse, ChangePasswordBody, LoginBody, RegisterBody, TwoFactorChallenge, TwoFactorLoginBody } from '@handoff/contracts';
import { SessionService } from '../common/auth/session.service.js';
import { TokensService } from '../common/auth/tokens.service.js';
import { LoginThrottle } from '../common/rate-limit/login-throttle.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../common/auth/password.js';
import { RefreshTokensService } from './refresh-tokens.service.js';
import { CHALLENGE_TTL_SECONDS } from './two-factor/challenge-tokens.js';
import type { NewDeviceToken } from './two-factor/device-tokens.js';
import { TwoFactorService, WrongCredential } from './two-factor/two-factor.service.js';

/** What a sign-in hands back: the body, and the refresh token that goes into the cookie. */
export interface Issued {
  body: AuthResponse;
  refreshToken: string;
  /** Set when the second step was asked to remember this browser: the token for its cookie. */
  device?: NewDeviceToken;
}

/** The first step's outcome: a session, or (two-factor sign-in on, browser not remembered) a challenge. */
export type SignIn = { issued: Issued } | { challenge: TwoFactorChallenge };

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
    private readonly twoFactor: TwoFactorService,
  ) {}

  async register(body: RegisterBody): Promise<Issued> {
    return this.issue(await this.users.register(body));
  }

  /**
   * `address` is the client's, as TRUST_PROXY lets us see it: failed sign-ins are limited per account and
   * address. `device` is the remembered-device cookie, which skips the second step while it is valid.
   */
  login(body: LoginBody, address: string, device?: string): Promise<SignIn> {
    return this.throttle.attempt(body.email, address, async () => {
      const user = await this.users.findByEmailWithHash(body.email);
      if (!user) {
        await burnPasswordCheck(body.password);
        throw new UnauthorizedException('the e-mail or password is wrong');
      }
      if (!(await verifyPassword(user.passwordHash, body.password))) throw new UnauthorizedException('the e-mail or password is wrong');
      if (user.suspended) throw new ForbiddenException('the account is suspended');
      if (!(await this.twoFactor.isOn(user.id)) || (await this.twoFactor.recognises(user.id, user.tokenVersion, device))) return { issued: await this.issue(user) };
      const challengeToken = this.twoFactor.challenge({ userId: user.id, tokenVersion: user.tokenVersion });
      return { challenge: { twoFactorRequired: true, challengeToken, expiresIn: CHALLENGE_TTL_SECONDS } };
    });
  }

  /** The second step: the first step's challenge and a code (or a recovery code), limited like the first. */
  async loginSecondFactor(body: TwoFactorLoginBody, address: string): Promise<Issued> {
    const challenge = this.twoFactor.openChallenge(body.challengeToken);
    const user = challenge ? await this.users.findById(challenge.userId) : null;
    // A password change or a suspension since the first step voids the challenge.
    if (!challenge || !user || user.tokenVersion !== challenge.tokenVersion) throw new UnauthorizedException('the sign-in has expired; sign in again');
    return this.throttle.attempt(
      user.email,
      address,
      async () => {
        if (user.suspended) throw new ForbiddenException('the account is suspended');
        if (!(await this.twoFactor.check(user, body))) throw new UnauthorizedException(`${body.code !== undefined ? 'code' : 'recoveryCode'} is wrong, expired or used already`);
        const issued = await this.issue(user);
        return body.rememberDevice ? { ...issued, device: await this.twoFactor.rememberDevice(user.id, user.tokenVersion) } : issued;
      },
      { factor: 'second' },
    );
  }

  /**
   * A new password, for the current one. Every session of the user ends and no device skips the second
   * step any more; this browser gets a new session in the answer.
   */
  changePassword(userId: string, body: ChangePasswordBody, address: string): Promise<Issued> {
    return this.withPassword(userId, body.currentPassword, 'currentPassword', address, async (user) => {
      await this.twoFactor.forgetDevices(user.id);
      const changed = await this.users.changePassword(user.id, await hashPassword(body.newPassword));
      if (!changed) throw new UnauthorizedException('the session has ended; sign in again');
      return this.issue(changed);
    });
  }

  /** The caller's password, for changes that need it again (turning two-factor sign-in off). */
  async assertPassword(userId: string, password: string, address: string): Promise<void> {
    await this.withPassword(userId, password, 'password', address, () => Promise.resolve());
  }

  /** Run `then` once the signed-in user's password checks out; a wrong one (422 naming `field`) counts as a failed sign-in. */
  private async withPassword<T>(userId: string, password: string, field: string, address: string, then: (user: User) => Promise<T>): Promise<T> {
    const known = await this.users.findById(userId);
    if (!known) throw new UnauthorizedException('the session has ended; sign in again');
    return this.throttle.attempt(
      known.email,
      address,
      async () => {
        const user = await this.users.findByEmailWithHash(known.email);
        if (!user || !(await verifyPassword(user.passwordHash, password))) throw new WrongCredential(`${field} is wrong`);
        return then(user);
      },
      { isFailure: (e) => e instanceof WrongCredential },
    );
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
