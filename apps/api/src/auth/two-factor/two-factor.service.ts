import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { RecoveryCodesResponse, SecondFactorBody, TwoFactorEnrolment, TwoFactorPolicy, TwoFactorStatus } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { AuditRepository } from '../../audit/audit.repository.js';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { SessionService } from '../../common/auth/session.service.js';
import { ServiceUnavailable, StateConflict, UnprocessableRule } from '../../common/http/errors.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { secretAad, SecretsCipher, SecretsNotConfiguredError } from '../../secrets/crypto/secrets-cipher.js';
import { ChallengeTokens, type Challenge } from './challenge-tokens.js';
import { hashDeviceToken, newDeviceToken, type NewDeviceToken } from './device-tokens.js';
import { DevicesRepository } from './devices.repository.js';
import { RecoveryCodes } from './recovery-codes.js';
import { RecoveryCodesRepository } from './recovery-codes.repository.js';
import { newEnrolment, verifyCode } from './totp.js';
import { TwoFactorPolicyRepository } from './two-factor-policy.repository.js';
import { TwoFactorRepository } from './two-factor.repository.js';

/** A wrong code, recovery code or password on a signed-in route (422, not 401, which would end the session in a dashboard). */
export class WrongCredential extends UnprocessableRule {}

type RequiredBy = TwoFactorStatus['requiredBy'];

/**
 * Two-factor sign-in with TOTP: enrolment, recovery codes, remembered devices and who must have it.
 * The secret is sealed at rest with SECRETS_KEYS; codes are checked with a ±1 step window and each
 * step is accepted once per account (no replay).
 */
@Injectable()
export class TwoFactorService {
  private readonly challenges: ChallengeTokens;
  private sealer: SecretsCipher | null = null;
  private hasher: RecoveryCodes | null = null;

  constructor(
    private readonly secrets: TwoFactorRepository,
    private readonly recovery: RecoveryCodesRepository,
    private readonly devices: DevicesRepository,
    private readonly policies: TwoFactorPolicyRepository,
    private readonly sessions: SessionService,
    private readonly audit: AuditRepository,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.challenges = new ChallengeTokens(config.jwtSecret);
  }

  async isOn(userId: string): Promise<boolean> {
    return !!(await this.secrets.find(userId))?.enabledAt;
  }

  /** Why the user may not go without two-factor sign-in, if it may not. */
  async requiredBy(user: Pick<AuthUser, 'role' | 'organizationId'>): Promise<RequiredBy> {
    if (user.role === 'admin') return 'role';
    if (user.organizationId && (await this.policies.requires(user.organizationId))) return 'organization';
    return null;
  }

  async status(user: AuthUser): Promise<TwoFactorStatus> {
    const [row, requiredBy, left] = await Promise.all([this.secrets.find(user.id), this.requiredBy(user), this.recovery.count(user.id)]);
    return {
      enabled: !!row?.enabledAt,
      pending: !!row && !row.enabledAt,
      required: requiredBy !== null,
      requiredBy,
      enabledAt: row?.enabledAt?.toISOString() ?? null,
      recoveryCodesLeft: row?.enabledAt ? left : 0,
    };
  }

  /** A new secret, pending until a code from it is confirmed; starting again replaces a pending one. */
  async start(user: AuthUser): Promise<TwoFactorEnrolment> {
    const enrolment = newEnrolment(user.email);
    const saved = await this.secrets.savePending(user.id, this.cipher().encrypt(enrolment.secret, aadFor(user.id)));
    if (!saved) throw new StateConflict('two-factor sign-in is already on; disable it first to enrol again', 'enabled');
    return enrolment;
  }

  /** Turn a pending enrolment on with a code from it; answers the ten recovery codes, shown this once. */
  async confirm(user: AuthUser, code: string): Promise<RecoveryCodesResponse> {
    const row = await this.secrets.find(user.id);
    if (!row) throw new StateConflict('no enrolment to confirm: start one first', 'none');
    if (row.enabledAt) throw new StateConflict('two-factor sign-in is already on', 'enabled');
    const step = verifyCode(this.open(user.id, row.secretSealed), code, { lastUsedStep: row.lastUsedStep });
    if (step === null) throw new WrongCredential('code is wrong or expired');
    const { codes, hashes } = this.codes().newRecoveryCodes();
    const activated = await this.ds.transaction(async (m) => {
      if (!(await this.secrets.useStep(user.id, step, { activate: true }, m))) return false;
      await this.recovery.replace(user.id, hashes, m);
      await this.audit.record(m, user, { action: 'two_factor.enable', targetType: 'user', targetId: user.id, details: { recoveryCodes: hashes.length } });
      return true;
    });
    // Another request confirmed (or restarted) it meanwhile.
    if (!activated) throw new StateConflict('the enrolment changed meanwhile; check its state', 'changed');
    await this.sessions.forget(user.id);
    return { recoveryCodes: codes };
  }

  /** Fresh recovery codes for a proof of the second factor; the old ones stop working. */
  async regenerate(user: AuthUser, proof: SecondFactorBody): Promise<RecoveryCodesResponse> {
    await this.assertOn(user.id);
    if (!(await this.check(user, proof))) throw new WrongCredential(`${proof.code !== undefined ? 'code' : 'recoveryCode'} is wrong, expired or used already`);
    const { codes, hashes } = this.codes().newRecoveryCodes();
    await this.ds.transaction(async (m) => {
      await this.recovery.replace(user.id, hashes, m);
      await this.audit.record(m, user, { action: 'two_factor.recovery_codes', targetType: 'user', targetId: user.id, details: { recoveryCodes: hashes.length } });
    });
    return { recoveryCodes: codes };
  }

  /** Two-factor sign-in off, with its recovery codes and remembered devices. `passwordOk` is checked by the caller. */
  async disable(user: AuthUser, proof: SecondFactorBody): Promise<void> {
    const requiredBy = await this.requiredBy(user);
    if (requiredBy) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: requiredBy === 'role' ? 'two-factor sign-in is required for admins' : 'your organization requires two-factor sign-in',
        code: 'two_factor_required',
      });
    }
    await this.assertOn(user.id);
    if (!(await this.check(user, proof))) throw new WrongCredential(`${proof.code !== undefined ? 'code' : 'recoveryCode'} is wrong, expired or used already`);
    await this.ds.transaction(async (m) => {
      await this.devices.forgetAll(user.id, m);
      await this.recovery.removeAll(user.id, m);
      await this.secrets.remove(user.id, m);
      await this.audit.record(m, user, { action: 'two_factor.disable', targetType: 'user', targetId: user.id, details: {} });
    });
    await this.sessions.forget(user.id);
  }

  /**
   * Whether the proof is good, using it up: a TOTP code's step is recorded (no replay), a recovery
   * code is deleted, and its use written to the audit trail (a spent code is a fact its owner should
   * be able to find). False for a wrong, expired or reused one, or when two-factor sign-in is off.
   */
  async check(user: Pick<AuthUser, 'id' | 'role'>, proof: SecondFactorBody): Promise<boolean> {
    const userId = user.id;
    const row = await this.secrets.find(userId);
    if (!row?.enabledAt) return false;
    if (proof.code !== undefined) {
      const step = verifyCode(this.open(userId, row.secretSealed), proof.code, { lastUsedStep: row.lastUsedStep });
      return step !== null && (await this.secrets.useStep(userId, step));
    }
    if (proof.recoveryCode === undefined) return false;
    const match = this.codes().consumeRecoveryCode(await this.recovery.hashes(userId), proof.recoveryCode);
    if (!match) return false;
    return this.ds.transaction(async (m) => {
      if (!(await this.recovery.consume(userId, match.hash, m))) return false;
      const remaining = await this.recovery.count(userId, m);
      await this.audit.record(m, user, { action: 'two_factor.recovery_code_used', targetType: 'user', targetId: userId, details: { remaining } });
      return true;
    });
  }

  challenge(c: Challenge): string {
    return this.challenges.issue(c);
  }

  openChallenge(token: string): Challenge | null {
    return this.challenges.open(token);
  }

  async rememberDevice(userId: string, tokenVersion: number): Promise<NewDeviceToken> {
    const device = newDeviceToken();
    await this.devices.remember(userId, device.hash, tokenVersion, device.expiresAt);
    return device;
  }

  /** Whether the device cookie lets this user skip the second step. */
  async recognises(userId: string, tokenVersion: number, cookie: string | undefined): Promise<boolean> {
    const hash = cookie ? hashDeviceToken(cookie) : null;
    return !!hash && (await this.devices.recognises(userId, hash, tokenVersion));
  }

  /** After a password change: no device skips the second step any more (sessions end by the token version). */
  forgetDevices(userId: string): Promise<void> {
    return this.devices.forgetAll(userId);
  }

  /** An organization's policy, for an admin or a client of that organization (404 for anyone else). */
  async policy(caller: AuthUser, organizationId: string): Promise<TwoFactorPolicy> {
    const requireTwoFactor = this.mayManage(caller, organizationId) ? await this.policies.requires(organizationId) : null;
    if (requireTwoFactor === null) throw new NotFoundException('organization not found');
    return { organizationId, requireTwoFactor };
  }

  /** Members without two-factor sign-in are held at enrolment from their next request on. */
  async setPolicy(caller: AuthUser, organizationId: string, requireTwoFactor: boolean): Promise<TwoFactorPolicy> {
    const stored = !this.mayManage(caller, organizationId)
      ? null
      : await this.ds.transaction(async (m) => {
          const set = await this.policies.set(organizationId, requireTwoFactor, m);
          if (set !== null) await this.audit.record(m, caller, { action: 'two_factor.policy', targetType: 'organization', targetId: organizationId, details: { requireTwoFactor: set } });
          return set;
        });
    if (stored === null) throw new NotFoundException('organization not found');
    return { organizationId, requireTwoFactor: stored };
  }

  private mayManage(caller: AuthUser, organizationId: string): boolean {
    return caller.role === 'admin' || (caller.role === 'client' && caller.organizationId === organizationId);
  }

  private async assertOn(userId: string): Promise<void> {
    if (!(await this.isOn(userId))) throw new StateConflict('two-factor sign-in is not on', 'disabled');
  }

  private open(userId: string, sealed: string): string {
    return this.cipher().decrypt(sealed, aadFor(userId)).reveal();
  }

  // Built on first use, so an API without the keys still serves everything else; the 503 names the variable.
  private cipher(): SecretsCipher {
    if (this.sealer) return this.sealer;
    try {
      return (this.sealer = new SecretsCipher(this.config.secrets.keys));
    } catch (e) {
      if (e instanceof SecretsNotConfiguredError) throw new ServiceUnavailable(e.message);
      throw e;
    }
  }

  private codes(): RecoveryCodes {
    if (this.hasher) return this.hasher;
    const pepper = this.config.twoFactor.pepper;
    if (!pepper) throw new ServiceUnavailable('TWO_FACTOR_PEPPER is not set, so recovery codes cannot be issued or checked');
    return (this.hasher = new RecoveryCodes(pepper));
  }
}

function aadFor(userId: string): string {
  return secretAad('user', userId, 'totp');
}
