import { randomBytes } from 'node:crypto';
import type { AuthResponse, Category } from '@handoff/contracts';
import type { HttpClient } from './http.js';
import { signInWithTwoFactor } from './two-factor.js';

export const PASSWORD = 'correct-horse-battery';

export interface Session {
  token: string;
  user: AuthResponse['user'];
}

const unique = () => randomBytes(4).toString('hex');

function expectOk(res: { status: number; body: unknown }, what: string): void {
  if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function registerClient(http: HttpClient, overrides: Partial<{ email: string; organizationName: string; name: string }> = {}): Promise<Session> {
  const res = await http.post<AuthResponse>('/api/auth/register', {
    email: overrides.email ?? `client-${unique()}@example.com`,
    password: PASSWORD,
    name: overrides.name ?? 'Casey Client',
    role: 'client',
    organizationName: overrides.organizationName ?? `Org ${unique()}`,
  });
  expectOk(res, 'registering a client');
  return { token: res.body.accessToken, user: res.body.user };
}

export async function registerAssistant(http: HttpClient, skills: Category[] = ['data_entry'], overrides: Partial<{ email: string; name: string }> = {}): Promise<Session> {
  const res = await http.post<AuthResponse>('/api/auth/register', {
    email: overrides.email ?? `assistant-${unique()}@example.com`,
    password: PASSWORD,
    name: overrides.name ?? 'Alex Assistant',
    role: 'assistant',
    skills,
  });
  expectOk(res, 'registering an assistant');
  return { token: res.body.accessToken, user: res.body.user };
}

/** Admins must have a second factor: the first sign-in enrols the admin, later ones pass the second step. */
export async function loginAdmin(http: HttpClient, config: { admin: { email: string; password: string }; databaseUrl?: string }): Promise<Session> {
  const res = await signInWithTwoFactor(http, config.databaseUrl ?? http.baseUrl, config.admin.email, config.admin.password, { enrol: true });
  expectOk(res, 'admin login');
  return { token: res.body.accessToken, user: res.body.user };
}

/** A signed-in session that also holds its refresh cookie, as a browser would. */
export interface SignedIn extends Session {
  /** `handoff_refresh=<token>`, ready for a `cookie` header. */
  cookie: string;
}

export function refreshCookieOf(res: { headers: Headers }): string | null {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('handoff_refresh='));
  return line ? line.split('; ')[0]! : null;
}

export async function signIn(http: HttpClient, email: string, password = PASSWORD): Promise<SignedIn> {
  const res = await http.post<AuthResponse>('/api/auth/login', { email, password });
  expectOk(res, 'signing in');
  return { token: res.body.accessToken, user: res.body.user, cookie: refreshCookieOf(res)! };
}

/** Trade the session's cookie for a new access token; the session keeps the rotated cookie. */
export async function refreshSession(http: HttpClient, s: SignedIn): Promise<SignedIn> {
  const res = await http.post<AuthResponse>('/api/auth/refresh', undefined, { headers: { cookie: s.cookie } });
  expectOk(res, 'refreshing');
  return { token: res.body.accessToken, user: res.body.user, cookie: refreshCookieOf(res)! };
}

export async function signOut(http: HttpClient, s: SignedIn): Promise<void> {
  const res = await http.post('/api/auth/logout', undefined, { headers: { cookie: s.cookie } });
  expectOk(res, 'signing out');
}

/** Another member of `owner`'s organization, made by an admin, signed in with a cookie. */
export async function addMember(http: HttpClient, admin: Session, owner: Session): Promise<SignedIn> {
  const email = `member-${unique()}@example.com`;
  const res = await http.post('/api/users', { email, password: PASSWORD, name: 'Morgan Member', role: 'client', organizationId: owner.user.organizationId }, { token: admin.token });
  expectOk(res, 'adding a member');
  return signIn(http, email);
}
