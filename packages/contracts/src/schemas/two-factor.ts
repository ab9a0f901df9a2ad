import { z } from 'zod';
import { LIMITS } from '../domain.js';
import { plainString, uuid } from './common.js';
import { authResponse, password } from './users.js';

/** Six digits as an authenticator app shows them; spaces (`123 456`) are ignored. */
export const totpCode = plainString()
  .max(32, { message: 'must be the 6-digit code from the authenticator app' })
  .transform((v) => v.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, { message: 'must be the 6-digit code from the authenticator app' }));

/** XXXX-XXXX-XXXX-XXXX as issued; case, spaces and dashes are ignored when checked. */
export const recoveryCode = plainString()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'must be at most 64 characters' });

const secondFactorFields = { code: totpCode.optional(), recoveryCode: recoveryCode.optional() };

function oneSecondFactor(v: { code?: string; recoveryCode?: string }, ctx: z.RefinementCtx): void {
  if (v.code === undefined && v.recoveryCode === undefined) ctx.addIssue({ code: 'custom', path: ['code'], message: 'or recoveryCode is required' });
  if (v.code !== undefined && v.recoveryCode !== undefined) ctx.addIssue({ code: 'custom', path: ['recoveryCode'], message: 'is not allowed together with code' });
}

/** The second sign-in step: the challenge from the first, and a code from the app or a recovery code. */
export const twoFactorLoginBody = z
  .strictObject({
    challengeToken: plainString().min(1, { message: 'must not be empty' }).max(512, { message: 'is too long' }),
    ...secondFactorFields,
    rememberDevice: z.boolean({ message: 'must be true or false' }).optional(),
  })
  .superRefine(oneSecondFactor);
export type TwoFactorLoginBody = z.infer<typeof twoFactorLoginBody>;

/** What the first step answers for an account with two-factor sign-in on: no session yet. */
export const twoFactorChallenge = z.object({
  twoFactorRequired: z.literal(true),
  challengeToken: z.string(),
  expiresIn: z.number().int(),
});
export type TwoFactorChallenge = z.infer<typeof twoFactorChallenge>;

export const loginResponse = z.union([authResponse, twoFactorChallenge]);
export type LoginResponse = z.infer<typeof loginResponse>;

export function isTwoFactorChallenge(r: LoginResponse): r is TwoFactorChallenge {
  return 'twoFactorRequired' in r && r.twoFactorRequired === true;
}

export const twoFactorStatus = z.object({
  enabled: z.boolean(),
  /** An enrolment was started and not yet confirmed. */
  pending: z.boolean(),
  /** Whether the account may not go without it, and why. */
  required: z.boolean(),
  requiredBy: z.enum(['role', 'organization']).nullable(),
  enabledAt: z.string().nullable(),
  recoveryCodesLeft: z.number().int(),
});
export type TwoFactorStatus = z.infer<typeof twoFactorStatus>;

export const twoFactorEnrolment = z.object({
  /** Base32, for apps that cannot scan. */
  secret: z.string(),
  otpauthUri: z.string(),
  /** The URI as a QR code (an SVG document). */
  qrSvg: z.string(),
});
export type TwoFactorEnrolment = z.infer<typeof twoFactorEnrolment>;

export const confirmTwoFactorBody = z.strictObject({ code: totpCode });
export type ConfirmTwoFactorBody = z.infer<typeof confirmTwoFactorBody>;

export const recoveryCodesResponse = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodesResponse = z.infer<typeof recoveryCodesResponse>;

/** Proof of the second factor for a change made while signed in (new recovery codes). */
export const secondFactorBody = z.strictObject(secondFactorFields).superRefine(oneSecondFactor);
export type SecondFactorBody = z.infer<typeof secondFactorBody>;

export const disableTwoFactorBody = z
  .strictObject({ password: plainString().min(1, { message: 'must not be empty' }).max(LIMITS.passwordMax), ...secondFactorFields })
  .superRefine(oneSecondFactor);
export type DisableTwoFactorBody = z.infer<typeof disableTwoFactorBody>;

export const changePasswordBody = z.strictObject({
  currentPassword: plainString().min(1, { message: 'must not be empty' }).max(LIMITS.passwordMax),
  newPassword: password,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

export const twoFactorPolicyBody = z.strictObject({ requireTwoFactor: z.boolean({ message: 'must be true or false' }) });
export type TwoFactorPolicyBody = z.infer<typeof twoFactorPolicyBody>;

export const twoFactorPolicy = z.object({ organizationId: uuid, requireTwoFactor: z.boolean() });
export type TwoFactorPolicy = z.infer<typeof twoFactorPolicy>;

/** The `code` of the 403 an account gets while it must enrol before doing anything else. */
export const TWO_FACTOR_ENROLLMENT_REQUIRED = 'two_factor_enrollment_required';
