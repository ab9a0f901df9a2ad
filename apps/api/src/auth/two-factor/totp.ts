import { generateSecret, generateSync, verifySync } from 'otplib';
import { qrSvg } from './qr-svg.js';

/**
 * RFC 6238 as every authenticator app reads it by default: HMAC-SHA-1, 6 digits, 30 s steps, counted
 * from the Unix epoch. A code is accepted one step either side of now, for clock drift and typing time.
 */
export const TOTP = { algorithm: 'sha1', digits: 6, periodSeconds: 30, windowSteps: 1 } as const;

// 160 bits: RFC 4226's recommended secret length (and otplib's default), 32 base32 characters.
const SECRET_BYTES = 20;
const BASE32_SECRET = /^[A-Z2-7]{16,}$/;
const DEFAULT_ISSUER = 'Handoff';
// Control characters would corrupt the label an app shows; an e-mail is at most 254 characters.
const ACCOUNT_NAME = /^[^\p{Cc}]{1,254}$/u;

export interface Enrolment {
  /** Base32, for storing (sealed: it is a secret) and for typing into an app that cannot scan. */
  secret: string;
  /** otpauth://totp/… as authenticator apps read it. */
  otpauthUri: string;
  /** The URI as a QR code, an SVG document holding nothing but the code's geometry. */
  qrSvg: string;
}

/** A fresh secret for `accountName` (the e-mail the app will show), its URI and QR code. */
export function newEnrolment(accountName: string, opts: { issuer?: string } = {}): Enrolment {
  const issuer = opts.issuer ?? DEFAULT_ISSUER;
  if (!ACCOUNT_NAME.test(accountName)) throw new Error('newEnrolment: accountName must be 1 to 254 printable characters');
  if (!ACCOUNT_NAME.test(issuer)) throw new Error('newEnrolment: issuer must be 1 to 254 printable characters');
  const secret = generateSecret({ length: SECRET_BYTES });
  const otpauthUri = otpauthUriFor(secret, accountName, issuer);
  return { secret, otpauthUri, qrSvg: qrSvg(otpauthUri) };
}

/**
 * The Key URI Format the apps share. Built here rather than by otplib's generateURI, which leaves a `:`
 * in the account name unescaped, and a colon there would be read as the issuer separator.
 */
export function otpauthUriFor(secret: string, accountName: string, issuer: string = DEFAULT_ISSUER): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const params = new URLSearchParams({
    secret,
    issuer,
    algorithm: TOTP.algorithm.toUpperCase(),
    digits: String(TOTP.digits),
    period: String(TOTP.periodSeconds),
  });
  return `otpauth://totp/${label}?${params.toString().replace(/\+/g, '%20')}`;
}

/** The time step (30 s slot since the epoch) that `at` falls in. */
export function timeStepAt(at: Date | number = Date.now()): number {
  return Math.floor(epochSeconds(at) / TOTP.periodSeconds);
}

/** The code an authenticator shows at `at`; `digits` other than 6 only for checking against published vectors. */
export function codeAt(secret: string | Uint8Array, at: Date | number, digits: 6 | 7 | 8 = TOTP.digits): string {
  return generateSync({ secret, epoch: epochSeconds(at), digits, algorithm: TOTP.algorithm, period: TOTP.periodSeconds });
}

export interface VerifyOptions {
  /** The step of the last code accepted for this account (null: none yet); it and earlier steps are refused. */
  lastUsedStep: number | null;
  now?: Date | number;
}

/**
 * The time step `code` belongs to, if it is valid within ±1 step of now and later than `lastUsedStep`;
 * null otherwise. Store the step returned, only if it is greater than the one stored (one conditional
 * UPDATE), so the same code cannot sign in twice, not even from two requests at once.
 */
export function verifyCode(secret: string, code: string, opts: VerifyOptions): number | null {
  if (!BASE32_SECRET.test(secret)) throw new Error('verifyCode: the secret is not a base32 TOTP secret');
  const token = code.replace(/\s+/g, '');
  if (!/^\d+$/.test(token) || token.length !== TOTP.digits) return null;
  const { lastUsedStep } = opts;
  if (lastUsedStep !== null && !Number.isSafeInteger(lastUsedStep)) throw new Error('verifyCode: lastUsedStep must be an integer or null');
  const now = epochSeconds(opts.now ?? Date.now());
  const newest = Math.floor(now / TOTP.periodSeconds) + TOTP.windowSteps;
  // Every step in the window was used already (otplib throws on an afterTimeStep beyond it).
  if (lastUsedStep !== null && lastUsedStep >= newest) return null;
  const result = verifySync({
    secret,
    token,
    epoch: now,
    algorithm: TOTP.algorithm,
    digits: TOTP.digits,
    period: TOTP.periodSeconds,
    // A tolerance of exactly one period checks the steps floor((t ± 30) / 30): one either side, never two.
    epochTolerance: TOTP.windowSteps * TOTP.periodSeconds,
    afterTimeStep: lastUsedStep === null || lastUsedStep < 0 ? undefined : lastUsedStep,
  });
  // delta is the matched step's offset from now's (the functional API's result type omits timeStep).
  return result.valid ? Math.floor(now / TOTP.periodSeconds) + result.delta : null;
}

function epochSeconds(at: Date | number): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (!Number.isFinite(ms)) throw new Error('totp: not a valid time');
  return Math.floor(ms / 1000);
}
