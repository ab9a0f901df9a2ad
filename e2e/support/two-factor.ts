import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuthResponse } from '@handoff/contracts';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { ARTIFACTS_DIR } from './env.mjs';
import { ApiError, call, type Person } from './api.js';
import { baseUrl, urlOf } from './browser.js';

const PERIOD_S = 30;

/** What an authenticator app holds for one account, and the last time step the server accepted from it. */
export interface Authenticator {
  secret: string;
  lastStep: number | null;
}

/** The code of `step` (a 30 s slot since the epoch), as an app shows it: RFC 6238 defaults, like the API's. */
export function codeAtStep(secret: string, step: number): string {
  return generateSync({ secret, epoch: step * PERIOD_S, digits: 6, algorithm: 'sha1', period: PERIOD_S });
}

/** A code the server has not taken from this account yet: each step counts once, so after two in a slot it waits. */
export async function nextCode(a: Authenticator): Promise<string> {
  const now = Math.floor(Date.now() / 1000 / PERIOD_S);
  // Never the oldest step the window takes: a slow request could reach the server after it expired.
  const step = Math.max(now, (a.lastStep ?? -Infinity) + 1);
  if (step > now + 1) await new Promise((r) => setTimeout(r, (step - 1) * PERIOD_S * 1000 - Date.now() + 50));
  a.lastStep = step;
  return codeAtStep(a.secret, step);
}

// Test files do not share memory, so the admin's authenticator and remembered device live in a file of this run.
const ADMIN_FILE = resolve(ARTIFACTS_DIR, 'admin-two-factor.json');

interface AdminState extends Authenticator {
  baseUrl: string;
  /** The remembered-device token: sign-ins that send it skip the second step. */
  device: string;
}

function loadAdmin(): AdminState | null {
  if (!existsSync(ADMIN_FILE)) return null;
  const state = JSON.parse(readFileSync(ADMIN_FILE, 'utf8')) as AdminState;
  return state.baseUrl === baseUrl() ? state : null;
}

async function post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ body: T; res: Response }> {
  const res = await fetch(urlOf(`/api${path}`), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  if (!res.ok) throw new ApiError('POST', path, res.status, text);
  return { body: JSON.parse(text) as T, res };
}

function deviceOf(res: Response): string {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('handoff_device='));
  if (!line) throw new Error('the second step set no device cookie');
  return decodeURIComponent(line.split(';')[0]!.slice('handoff_device='.length));
}

/** Enrol a signed-in account over HTTP, as the enrolment page would. */
export async function enrolOverHttp(token: string): Promise<Authenticator & { recoveryCodes: string[] }> {
  const { secret } = await call<{ secret: string }>('POST', '/auth/two-factor/enrolment', { token });
  const a: Authenticator = { secret, lastStep: null };
  const { recoveryCodes } = await call<{ recoveryCodes: string[] }>('POST', '/auth/two-factor/enrolment/confirm', { token, body: { code: await nextCode(a) } });
  return { ...a, recoveryCodes };
}

/**
 * Sign the admin in over HTTP. Admins must have a second factor: the first call of a run enrols the
 * seeded admin and remembers a device, later ones (in any test file) send that device and skip the step.
 */
export async function signInAdminWithTwoFactor(admin: Pick<Person, 'email' | 'password'>): Promise<AuthResponse> {
  const known = loadAdmin();
  const first = await post<AuthResponse | { twoFactorRequired: true; challengeToken: string }>('/auth/login', admin, known ? { cookie: `handoff_device=${known.device}` } : {});
  if ('accessToken' in first.body) {
    if (known) return first.body;
    const enrolled = await enrolOverHttp(first.body.accessToken);
    const challenge = await post<{ challengeToken: string }>('/auth/login', admin);
    const second = await post<AuthResponse>('/auth/login/two-factor', { challengeToken: challenge.body.challengeToken, code: await nextCode(enrolled), rememberDevice: true });
    writeFileSync(ADMIN_FILE, JSON.stringify({ baseUrl: baseUrl(), secret: enrolled.secret, lastStep: enrolled.lastStep, device: deviceOf(second.res) } satisfies AdminState));
    return second.body;
  }
  if (!known) throw new Error('the admin has two-factor sign-in on, but this run did not enrol it');
  // The device was forgotten (a password change): pass the step with a code and remember again.
  const second = await post<AuthResponse>('/auth/login/two-factor', { challengeToken: first.body.challengeToken, code: await nextCode(known), rememberDevice: true });
  writeFileSync(ADMIN_FILE, JSON.stringify({ ...known, device: deviceOf(second.res) }));
  return second.body;
}

/** Give the page's browser the admin's remembered device, so signing in through the form skips the second step. */
export async function rememberAdminDevice(page: Page, admin: Pick<Person, 'email' | 'password'>): Promise<void> {
  await signInAdminWithTwoFactor(admin);
  const { device } = loadAdmin()!;
  await page.context().addCookies([{ name: 'handoff_device', value: device, domain: new URL(baseUrl()).hostname, path: '/api/auth/login', httpOnly: true, sameSite: 'Strict' }]);
}
