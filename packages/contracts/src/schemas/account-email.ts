import { z } from 'zod';
import { plainString } from './common.js';
import { email, password } from './users.js';

/** A token from an account mail: 43 base64url characters (32 random bytes). */
const mailToken = plainString()
  .max(200, { message: 'must be the token from the e-mail' })
  .pipe(z.string().regex(/^[A-Za-z0-9_-]{43}$/, { message: 'must be the token from the e-mail' }));

export const passwordResetRequestBody = z.strictObject({ email });
export type PasswordResetRequestBody = z.infer<typeof passwordResetRequestBody>;

export const passwordResetConfirmBody = z.strictObject({ token: mailToken, password });
export type PasswordResetConfirmBody = z.infer<typeof passwordResetConfirmBody>;

export const verifyEmailBody = z.strictObject({ token: mailToken });
export type VerifyEmailBody = z.infer<typeof verifyEmailBody>;

/** The same answer whether or not the address has an account, so the route tells nobody which do. */
export const mailAccepted = z.object({ accepted: z.literal(true), message: z.string() });
export type MailAccepted = z.infer<typeof mailAccepted>;

export const emailVerification = z.object({ email: z.string(), emailVerifiedAt: z.iso.datetime() });
export type EmailVerification = z.infer<typeof emailVerification>;

/** The mails Handoff sends; a mail job names one, and the worker renders it. */
export const MAIL_TEMPLATES = ['password-reset', 'verify-email', 'review-reminder', 'notification'] as const;
export type MailTemplateName = (typeof MAIL_TEMPLATES)[number];
