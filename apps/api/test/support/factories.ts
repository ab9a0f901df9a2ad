import { randomBytes } from 'node:crypto';
import type { AuthResponse, Category } from '@handoff/contracts';
import type { HttpClient } from './http.js';

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

export async function loginAdmin(http: HttpClient, config: { admin: { email: string; password: string } }): Promise<Session> {
  const res = await http.post<AuthResponse>('/api/auth/login', { email: config.admin.email, password: config.admin.password });
  expectOk(res, 'admin login');
  return { token: res.body.accessToken, user: res.body.user };
}
