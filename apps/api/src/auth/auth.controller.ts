import { ForbiddenException, Get, Inject, Logger, NotFoundException, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  authResponse,
  changePasswordBody,
  emailVerification,
  loginBody,
  mailAccepted,
  passwordResetConfirmBody,
  passwordResetRequestBody,
  verifyEmailBody,
  loginResponse,
  registerBody,
  twoFactorLoginBody,
  userView,
  type AuthResponse,
  type ChangePasswordBody,
  type EmailVerification,
  type LoginBody,
  type MailAccepted,
  type PasswordResetConfirmBody,
  type PasswordResetRequestBody,
  type VerifyEmailBody,
  type LoginResponse,
  type RegisterBody,
  type TwoFactorLoginBody,
  type UserView,
} from '@handoff/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user.js';
import { BeforeTwoFactor, CurrentUser, Public } from '../common/auth/decorators.js';
import { jobsBoardCookie } from '../common/auth/jobs-board-cookie.js';
import { Contract, Input } from '../common/http/contract.js';
import { parseCookies, serializeCookie } from '../common/http/cookies.js';
import { originAllowed } from '../common/http/origin.js';
import { GuardedController } from '../common/http/global-guards.js';
import { byIp, byUser, RateLimit } from '../common/rate-limit/rate-limit.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { UsersService } from '../users/users.service.js';
import { AccountEmailService } from './account-email.service.js';
import { AuthService, type Issued } from './auth.service.js';
import { REFRESH_COOKIE, REFRESH_COOKIE_PATH, RefreshTokensService } from './refresh-tokens.service.js';
import { DEVICE_TOKEN_TTL_MS } from './two-factor/device-tokens.js';

/** The remembered-device cookie: sent only to the sign-in routes, where it skips the second step. */
export const DEVICE_COOKIE = 'handoff_device';
const DEVICE_COOKIE_PATH = '/api/auth/login';

@ApiTags('auth')
@GuardedController('auth')
export class AuthController {
  private readonly logger = new Logger('auth');

  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly accountEmail: AccountEmailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('register')
  @RateLimit({ name: 'register', limit: (c) => c.rateLimits.register, tracker: byIp })
  @Contract({ summary: 'Create a client (with its organization) or an assistant account; sets the refresh cookie', body: registerBody, response: authResponse, status: 201, errors: { 409: 'e-mail already registered', 429: 'rate limited' } })
  async register(@Input('body') body: RegisterBody, @Res({ passthrough: true }) reply: FastifyReply): Promise<AuthResponse> {
    const issued = await this.auth.register(body);
    // The account works before its address is proven; a mail that could not be queued now can be asked for again.
    await this.accountEmail.sendVerification(issued.body.user.id).catch((e: Error) => this.logger.warn(`verification mail not queued: ${e.message}`));
    return this.withCookie(reply, issued);
  }

  @Public()
  @Post('password-reset')
  @RateLimit({ name: 'password-reset', limit: (c) => c.rateLimits.register, tracker: byIp })
  @Contract({
    summary: 'Mail a single-use link to choose a new password; the same answer whether or not the address has an account',
    body: passwordResetRequestBody,
    response: mailAccepted,
    status: 202,
    errors: { 429: 'rate limited' },
  })
  requestPasswordReset(@Input('body') body: PasswordResetRequestBody): Promise<MailAccepted> {
    return this.accountEmail.requestPasswordReset(body.email);
  }

  @Public()
  @Post('password-reset/confirm')
  @RateLimit({ name: 'password-reset-confirm', limit: (c) => c.rateLimits.login, tracker: byIp })
  @Contract({
    summary: 'Set a new password with the token from a reset mail; every session of the account ends',
    body: passwordResetConfirmBody,
    status: 204,
    errors: { 400: 'token is invalid, expired or used already', 429: 'rate limited' },
  })
  async confirmPasswordReset(@Input('body') body: PasswordResetConfirmBody): Promise<void> {
    await this.accountEmail.confirmPasswordReset(body);
  }

  @Public()
  @Post('verify-email')
  @RateLimit({ name: 'verify-email', limit: (c) => c.rateLimits.login, tracker: byIp })
  @Contract({ summary: 'Prove the address with the token from a verification mail', body: verifyEmailBody, response: emailVerification, errors: { 400: 'token is invalid, expired or used already', 429: 'rate limited' } })
  verifyEmail(@Input('body') body: VerifyEmailBody): Promise<EmailVerification> {
    return this.accountEmail.verify(body.token);
  }

  @ApiBearerAuth()
  @BeforeTwoFactor()
  @Post('verify-email/resend')
  @RateLimit({ name: 'verify-email-resend', limit: (c) => c.rateLimits.register, tracker: byUser })
  @Contract({ summary: 'Mail the signed-in user a new verification link (at most one a minute)', response: mailAccepted, status: 202, errors: { 401: 'no or bad token', 429: 'rate limited' } })
  resendVerification(@CurrentUser() caller: AuthUser): Promise<MailAccepted> {
    return this.accountEmail.sendVerification(caller.id);
  }

  @Public()
  @Post('login')
  // Limited by outcome rather than by @RateLimit: only failed sign-ins count (AuthService.login).
  @Contract({
    summary:
      'Exchange e-mail and password for an access token and the refresh cookie; with two-factor sign-in on (and no remembered device), a challenge for POST /api/auth/login/two-factor instead',
    body: loginBody,
    response: loginResponse,
    errors: { 401: 'wrong e-mail or password', 403: 'suspended', 429: 'too many failed sign-ins' },
  })
  async login(@Input('body') body: LoginBody, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LoginResponse> {
    const outcome = await this.auth.login(body, req.ip, parseCookies(req.headers.cookie)[DEVICE_COOKIE]);
    if ('challenge' in outcome) {
      void reply.header('cache-control', 'no-store');
      return outcome.challenge;
    }
    return this.withCookie(reply, outcome.issued);
  }

  @Public()
  @Post('login/two-factor')
  // Limited by outcome, with counters of its own (AuthService.loginSecondFactor).
  @Contract({
    summary: 'The second sign-in step: the challenge and a code from the authenticator app or a recovery code; sets the refresh cookie, and with rememberDevice the device cookie',
    body: twoFactorLoginBody,
    response: authResponse,
    errors: { 401: 'expired challenge, or a wrong, expired or used code', 403: 'suspended', 429: 'too many failed codes' },
  })
  async loginSecondFactor(@Input('body') body: TwoFactorLoginBody, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AuthResponse> {
    return this.withCookie(reply, await this.auth.loginSecondFactor(body, req.ip));
  }

  @ApiBearerAuth()
  @Put('password')
  @Contract({
    summary: 'Change the password; every session ends and remembered devices are forgotten, this browser gets a new session',
    body: changePasswordBody,
    response: authResponse,
    errors: { 401: 'no or bad token', 422: 'currentPassword is wrong', 429: 'too many wrong passwords' },
  })
  async changePassword(
    @CurrentUser() caller: AuthUser,
    @Input('body') body: ChangePasswordBody,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResponse> {
    return this.withCookie(reply, await this.auth.changePassword(caller.id, body, req.ip));
  }

  @Public()
  @Post('refresh')
  @RateLimit({ name: 'refresh', limit: (c) => c.rateLimits.login * 10, tracker: byIp })
  @Contract({
    summary: 'A new access token for the refresh cookie; the cookie is rotated, and reusing an old one ends the whole session',
    response: authResponse,
    errors: { 401: 'no, expired, revoked or reused refresh token', 403: 'cross-site request' },
  })
  async refresh(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<AuthResponse> {
    this.assertSameSite(req);
    try {
      return this.withCookie(reply, await this.auth.refresh(this.cookieOf(req)));
    } catch (e) {
      // A refused cookie is dead weight; the browser should stop sending it.
      this.clearCookie(reply);
      throw e;
    }
  }

  @Public()
  @Post('logout')
  @Contract({ summary: 'End the session of the refresh cookie and clear it', status: 204, errors: { 403: 'cross-site request' } })
  async logout(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    this.assertSameSite(req);
    await this.auth.logout(this.cookieOf(req));
    this.clearCookie(reply);
  }

  @ApiBearerAuth()
  @BeforeTwoFactor()
  @Get('me')
  @Contract({ summary: 'The signed-in user', response: userView, errors: { 401: 'no or bad token' } })
  async me(@CurrentUser() caller: AuthUser): Promise<UserView> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new NotFoundException('user not found');
    return this.users.view(user);
  }

  private cookieOf(req: FastifyRequest): string | undefined {
    return parseCookies(req.headers.cookie)[REFRESH_COOKIE];
  }

  // SameSite=Strict already keeps the cookie off cross-site requests; this also
  // refuses browsers and proxies that get SameSite wrong.
  private assertSameSite(req: FastifyRequest): void {
    const origin = req.headers.origin;
    if (!originAllowed(typeof origin === 'string' ? origin : undefined, req.headers.host, this.config.corsOrigins)) {
      throw new ForbiddenException('origin is not allowed');
    }
  }

  private withCookie(reply: FastifyReply, issued: Issued): AuthResponse {
    const cookies = [
      serializeCookie(REFRESH_COOKIE, issued.refreshToken, {
        path: REFRESH_COOKIE_PATH,
        maxAgeSeconds: this.refreshTokens.ttlSeconds,
        secure: this.config.cookieSecure,
      }),
    ];
    if (issued.device) {
      cookies.push(serializeCookie(DEVICE_COOKIE, issued.device.token, { path: DEVICE_COOKIE_PATH, maxAgeSeconds: Math.floor(DEVICE_TOKEN_TTL_MS / 1000), secure: this.config.cookieSecure }));
    }
    if (issued.body.user.role === 'admin') cookies.push(jobsBoardCookie(issued.body.accessToken, issued.body.expiresIn, this.config.cookieSecure));
    void reply.header('set-cookie', cookies.length === 1 ? cookies[0]! : cookies);
    void reply.header('cache-control', 'no-store');
    return issued.body;
  }

  private clearCookie(reply: FastifyReply): void {
    void reply.header('set-cookie', serializeCookie(REFRESH_COOKIE, '', { path: REFRESH_COOKIE_PATH, maxAgeSeconds: 0, secure: this.config.cookieSecure }));
    void reply.header('set-cookie', jobsBoardCookie('', 0, this.config.cookieSecure));
  }
}
