import { Get, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  confirmTwoFactorBody,
  disableTwoFactorBody,
  idParams,
  recoveryCodesResponse,
  secondFactorBody,
  twoFactorEnrolment,
  twoFactorPolicy,
  twoFactorPolicyBody,
  twoFactorStatus,
  type ConfirmTwoFactorBody,
  type DisableTwoFactorBody,
  type RecoveryCodesResponse,
  type SecondFactorBody,
  type TwoFactorEnrolment,
  type TwoFactorPolicy,
  type TwoFactorPolicyBody,
  type TwoFactorStatus,
} from '@handoff/contracts';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { BeforeTwoFactor, CurrentUser, Roles } from '../../common/auth/decorators.js';
import { Contract, Input } from '../../common/http/contract.js';
import { GuardedController } from '../../common/http/global-guards.js';
import { LoginThrottle } from '../../common/rate-limit/login-throttle.js';
import { AuthService } from '../auth.service.js';
import { TwoFactorService, WrongCredential } from './two-factor.service.js';

const WRONG_CODE = { 422: 'the code is wrong, expired or used already', 429: 'too many wrong codes' };

/** Enrolment and the signed-in user's own two-factor settings; these answer before enrolment too. */
@ApiTags('auth')
@ApiBearerAuth()
@BeforeTwoFactor()
@GuardedController('auth/two-factor')
export class TwoFactorController {
  constructor(
    private readonly twoFactor: TwoFactorService,
    private readonly auth: AuthService,
    private readonly throttle: LoginThrottle,
  ) {}

  @Get()
  @Contract({ summary: 'Whether two-factor sign-in is on, pending or required for you, and how many recovery codes are left', response: twoFactorStatus })
  status(@CurrentUser() caller: AuthUser): Promise<TwoFactorStatus> {
    return this.twoFactor.status(caller);
  }

  @Post('enrolment')
  @Contract({
    summary: 'Start enrolment: a new secret (stored sealed, pending) as an otpauth URI and a QR code; starting again replaces a pending one',
    response: twoFactorEnrolment,
    status: 201,
    errors: { 409: 'two-factor sign-in is already on' },
  })
  start(@CurrentUser() caller: AuthUser): Promise<TwoFactorEnrolment> {
    return this.twoFactor.start(caller);
  }

  @Post('enrolment/confirm')
  @Contract({
    summary: 'Turn two-factor sign-in on with a code from the app; answers ten single-use recovery codes, shown only this once',
    body: confirmTwoFactorBody,
    response: recoveryCodesResponse,
    errors: { 409: 'no pending enrolment', ...WRONG_CODE },
  })
  confirm(@CurrentUser() caller: AuthUser, @Input('body') body: ConfirmTwoFactorBody, @Req() req: FastifyRequest): Promise<RecoveryCodesResponse> {
    return this.limited(caller, req, () => this.twoFactor.confirm(caller, body.code));
  }

  @Post('recovery-codes')
  @Contract({
    summary: 'Ten new recovery codes for a current code (or a recovery code); the old ones stop working',
    body: secondFactorBody,
    response: recoveryCodesResponse,
    errors: { 409: 'two-factor sign-in is not on', ...WRONG_CODE },
  })
  regenerate(@CurrentUser() caller: AuthUser, @Input('body') body: SecondFactorBody, @Req() req: FastifyRequest): Promise<RecoveryCodesResponse> {
    return this.limited(caller, req, () => this.twoFactor.regenerate(caller, body));
  }

  @Post('disable')
  @Contract({
    summary: 'Turn two-factor sign-in off (password and a code); recovery codes and remembered devices go with it',
    body: disableTwoFactorBody,
    status: 204,
    errors: { 403: 'required for you (admins, or your organization asks)', 409: 'two-factor sign-in is not on', 422: 'the password or code is wrong', 429: 'too many wrong attempts' },
  })
  async disable(@CurrentUser() caller: AuthUser, @Input('body') body: DisableTwoFactorBody, @Req() req: FastifyRequest): Promise<void> {
    await this.auth.assertPassword(caller.id, body.password, req.ip);
    await this.limited(caller, req, () => this.twoFactor.disable(caller, { code: body.code, recoveryCode: body.recoveryCode }));
  }

  // Codes on these routes are counted with the second step's: a stolen session cannot guess its way to new recovery codes.
  private limited<T>(caller: AuthUser, req: FastifyRequest, run: () => Promise<T>): Promise<T> {
    return this.throttle.attempt(caller.email, req.ip, run, { factor: 'second', isFailure: (e) => e instanceof WrongCredential });
  }
}

/** An organization's rule that its members sign in with a second factor. */
@ApiTags('organizations')
@ApiBearerAuth()
@GuardedController('organizations')
export class TwoFactorPolicyController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  @Get(':id/two-factor-policy')
  @Roles('admin', 'client')
  @Contract({ summary: "Whether the organization requires two-factor sign-in of its members (admins, the organization's clients)", params: idParams, response: twoFactorPolicy, errors: { 404: 'not found or not yours' } })
  get(@CurrentUser() caller: AuthUser, @Input('params') p: { id: string }): Promise<TwoFactorPolicy> {
    return this.twoFactor.policy(caller, p.id);
  }

  @Put(':id/two-factor-policy')
  @Roles('admin', 'client')
  @Contract({
    summary: "Require two-factor sign-in of the organization's members, or stop requiring it (admins, the organization's clients)",
    params: idParams,
    body: twoFactorPolicyBody,
    response: twoFactorPolicy,
    errors: { 404: 'not found or not yours' },
  })
  set(@CurrentUser() caller: AuthUser, @Input('params') p: { id: string }, @Input('body') body: TwoFactorPolicyBody): Promise<TwoFactorPolicy> {
    return this.twoFactor.setPolicy(caller, p.id, body.requireTwoFactor);
  }
}
