import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { EmailVerification, MailAccepted, PasswordResetConfirmBody } from '@handoff/contracts';
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword } from '../common/auth/password.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MailQueue } from '../notifications/mail.queue.js';
import type { User } from '../users/user.entity.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import type { EmailTokenPurpose } from './email-token.entity.js';
import { EmailTokensRepository } from './email-tokens.repository.js';
import { TwoFactorService } from './two-factor/two-factor.service.js';

const sha256 = (raw: string) => createHash('sha256').update(raw).digest('hex');

/** One mail per address and purpose per minute, however often it is asked for (silently: the answer is the same). */
const MIN_GAP_MS = 60_000;

export const RESET_ACCEPTED: MailAccepted = {
  accepted: true,
  message: 'If an account has this address, a link to choose a new password is on its way.',
};

/** Links mailed to an account's address: a password reset, and proof that the address is the holder's. */
@Injectable()
export class AccountEmailService {
  constructor(
    private readonly tokens: EmailTokensRepository,
    private readonly users: UsersRepository,
    private readonly accounts: UsersService,
    private readonly twoFactor: TwoFactorService,
    private readonly mail: MailQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The same answer whether or not the address has an account, and whatever happened to the mail. */
  async requestPasswordReset(email: string): Promise<MailAccepted> {
    const user = await this.users.byEmailWithHash(email);
    if (user && !user.suspended) await this.mailLink(user, 'password_reset');
    return RESET_ACCEPTED;
  }

  /**
   * Sets the new password from a reset link, once. Every session of the account ends and no
   * device skips the second step any more; signing in again still asks for it.
   */
  async confirmPasswordReset(body: PasswordResetConfirmBody): Promise<void> {
    const used = await this.tokens.consume(sha256(body.token), 'password_reset');
    const user = used && (await this.users.byId(used.userId));
    if (!used || !user || user.suspended || user.email.toLowerCase() !== used.email.toLowerCase()) throw invalidToken();
    await this.twoFactor.forgetDevices(user.id);
    await this.accounts.changePassword(user.id, await hashPassword(body.password));
    // Following the link proved the address too.
    await this.users.markEmailVerified(user.id, used.email);
  }

  /** Mails a verification link to the account's address, unless it is verified already. */
  async sendVerification(userId: string): Promise<MailAccepted> {
    const user = await this.users.byId(userId);
    if (!user) throw new NotFoundException('user not found');
    if (!user.emailVerifiedAt) await this.mailLink(user, 'verify_email');
    return { accepted: true, message: user.emailVerifiedAt ? 'The address is verified already.' : `A link to confirm ${user.email} is on its way.` };
  }

  async verify(token: string): Promise<EmailVerification> {
    const used = await this.tokens.consume(sha256(token), 'verify_email');
    const verified = used && (await this.users.markEmailVerified(used.userId, used.email));
    if (!verified) throw invalidToken();
    return { email: verified.email, emailVerifiedAt: verified.emailVerifiedAt.toISOString() };
  }

  private async mailLink(user: User, purpose: EmailTokenPurpose): Promise<void> {
    const raw = randomBytes(32).toString('base64url');
    const ttlMs = purpose === 'password_reset' ? this.config.mailLinks.passwordResetTtlMs : this.config.mailLinks.verifyEmailTtlMs;
    const id = await this.tokens.issue({ userId: user.id, purpose, tokenHash: sha256(raw), email: user.email, ttlMs, minGapMs: MIN_GAP_MS });
    if (!id) return;
    const expiresAt = new Date(Date.now() + ttlMs).toISOString();
    // The token travels in the fragment: it never reaches a server log or a Referer header.
    if (purpose === 'password_reset') {
      await this.mail.send('password-reset', user.email, { recipientName: user.name, resetUrl: `${this.config.publicUrl}/reset-password#token=${raw}`, expiresAt }, id);
    } else {
      await this.mail.send('verify-email', user.email, { recipientName: user.name, verifyUrl: `${this.config.publicUrl}/verify-email#token=${raw}`, expiresAt }, id);
    }
  }
}

const invalidToken = () => new BadRequestException('token is invalid, expired or used already');
