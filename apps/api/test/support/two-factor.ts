import type { AuthResponse, RecoveryCodesResponse, TwoFactorEnrolment } from '@handoff/contracts';
import { codeAt, timeStepAt, TOTP } from '../../src/auth/two-factor/totp.js';
import type { HttpClient, Res } from './http.js';

/** What the suite knows of an enrolled account: its secret, the last step it used, its remembered device. */
export interface Authenticator {
  secret: string;
  lastStep: number | null;
  /** `handoff_device=<token>`, for a `cookie` header. */
  device?: string;
  recoveryCodes: string[];
}

const known = new Map<string, Authenticator>();
const keyOf = (where: string, email: string) => `${where}|${email.toLowerCase()}`;

export function authenticatorOf(where: string, email: string): Authenticator | undefined {
  return known.get(keyOf(where, email));
}

/**
 * A code the server has not seen from this account: the earliest step of the ±1 window after the last
 * one used. When all three were used (three codes within a step), it waits for the next step.
 */
export async function nextCode(a: Authenticator): Promise<string> {
  const now = timeStepAt();
  // Never the oldest step the window takes: on a busy machine the request can reach the server in the next
  // slot, when that code has expired.
  const step = Math.max(now, (a.lastStep ?? -Infinity) + 1);
  if (step > now + TOTP.windowSteps) {
    const ready = (step - TOTP.windowSteps) * TOTP.periodSeconds * 1000;
    await new Promise((r) => setTimeout(r, ready - Date.now() + 50));
  }
  a.lastStep = step;
  return codeAt(a.secret, step * TOTP.periodSeconds * 1000);
}

export function deviceCookieOf(res: { headers: Headers }): string | null {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('handoff_device='));
  return line ? line.split('; ')[0]! : null;
}

function expectOk(res: Res, what: string): void {
  if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Enrol the signed-in account (start, then confirm with a code from its secret) and remember it under `where`. */
export async function enrolTwoFactor(http: HttpClient, token: string, where: string, email: string): Promise<Authenticator> {
  const started = await http.post<TwoFactorEnrolment>('/api/auth/two-factor/enrolment', undefined, { token });
  expectOk(started, 'starting two-factor enrolment');
  const a: Authenticator = { secret: started.body.secret, lastStep: null, recoveryCodes: [] };
  const confirmed = await http.post<RecoveryCodesResponse>('/api/auth/two-factor/enrolment/confirm', { code: await nextCode(a) }, { token });
  expectOk(confirmed, 'confirming two-factor enrolment');
  a.recoveryCodes = confirmed.body.recoveryCodes;
  known.set(keyOf(where, email), a);
  return a;
}

/**
 * Sign in as a browser of the suite would, through the second step when the account has it on: the
 * first time with a code and "remember this device", after that with the device cookie alone, so a
 * test may sign in as often as it likes. `where` tells apart accounts of the same e-mail in different
 * databases (the database URL). `enrol` also enrols an account that has to have a second factor.
 */
export async function signInWithTwoFactor(http: HttpClient, where: string, email: string, password: string, opts: { enrol?: boolean } = {}): Promise<Res<AuthResponse>> {
  const a = authenticatorOf(where, email);
  const first = await http.post('/api/auth/login', { email, password }, a?.device ? { headers: { cookie: a.device } } : {});
  if (first.status !== 200) return first;
  if (first.body.twoFactorRequired) {
    if (!a) throw new Error(`${email} has two-factor sign-in on, but the suite does not know its secret`);
    const second = await http.post<AuthResponse>('/api/auth/login/two-factor', { challengeToken: first.body.challengeToken, code: await nextCode(a), rememberDevice: true });
    a.device = deviceCookieOf(second) ?? a.device;
    return second;
  }
  if (opts.enrol && !a) {
    const status = await http.get<{ enabled: boolean; required: boolean }>('/api/auth/two-factor', { token: first.body.accessToken });
    if (status.body.required && !status.body.enabled) await enrolTwoFactor(http, first.body.accessToken, where, email);
  }
  return first as Res<AuthResponse>;
}
