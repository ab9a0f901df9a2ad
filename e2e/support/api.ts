import { randomBytes } from 'node:crypto';
import type { AuthResponse, Category, LedgerEntryView, TaskView, UserView } from '@handoff/contracts';
import { urlOf } from './browser.js';
import { signInAdminWithTwoFactor } from './two-factor.js';

// The HTTP side of a browser test: set up people and move tasks the test is
// not about through the API, so each browser test drives only the flow it
// names through the UI and stays fast.

export const ADMIN = {
  email: process.env.HANDOFF_ADMIN_EMAIL || 'admin@handoff.local',
  password: process.env.HANDOFF_ADMIN_PASSWORD || 'handoff-admin-2026',
};

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path} answered ${status}: ${body}`);
  }
}

export async function call<T>(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(urlOf(`/api${path}`), {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new ApiError(method, path, res.status, text);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The HTTP status of a GET, without throwing: for probing whether an endpoint exists yet. */
export async function statusOf(path: string, token: string): Promise<number> {
  const res = await fetch(urlOf(`/api${path}`), { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
  await res.arrayBuffer();
  return res.status;
}

export interface Person {
  email: string;
  password: string;
  name: string;
  token: string;
  user: UserView;
}

export function uniqueId(): string {
  return randomBytes(4).toString('hex');
}

function emailFor(label: string, id: string): string {
  return `${label.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${id}@example.test`;
}

export async function registerClient(label: string): Promise<Person> {
  const id = uniqueId();
  const person = { email: emailFor(label, id), password: 'correct-horse-battery', name: `${label} ${id}` };
  const auth = await call<AuthResponse>('POST', '/auth/register', {
    body: { ...person, role: 'client', organizationName: `${label} Org ${id}` },
  });
  return { ...person, token: auth.accessToken, user: auth.user };
}

export async function registerAssistant(label: string, skills: Category[]): Promise<Person> {
  const id = uniqueId();
  const person = { email: emailFor(label, id), password: 'correct-horse-battery', name: `${label} ${id}` };
  const auth = await call<AuthResponse>('POST', '/auth/register', { body: { ...person, role: 'assistant', skills } });
  return { ...person, token: auth.accessToken, user: auth.user };
}

/** The seeded admin, signed in over HTTP (enrolled in two-factor sign-in on the run's first call). */
export async function signInAdmin(): Promise<Person> {
  const auth = await signInAdminWithTwoFactor(ADMIN);
  return { ...ADMIN, name: auth.user.name, token: auth.accessToken, user: auth.user };
}

/** A deadline comfortably inside the API's window, so the return is on time and billed. */
export function deadlineInDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}

export function submitTask(client: Person, task: { title: string; category: Category; instructions?: string }): Promise<TaskView> {
  return call<TaskView>('POST', '/tasks', {
    token: client.token,
    body: { instructions: 'Follow the usual procedure.', priority: 'normal', deadline: deadlineInDays(3), ...task },
  });
}

export function act(person: Person, taskId: string, action: 'claim' | 'start' | 'release' | 'accept' | 'cancel'): Promise<TaskView> {
  return call<TaskView>('POST', `/tasks/${taskId}/${action}`, { token: person.token });
}

export function getTask(person: Person, taskId: string): Promise<TaskView> {
  return call<TaskView>('GET', `/tasks/${taskId}`, { token: person.token });
}

export async function billingEntries(person: Person, query = ''): Promise<LedgerEntryView[]> {
  const answer = await call<{ items: LedgerEntryView[] } | LedgerEntryView[]>('GET', `/billing/entries${query}`, { token: person.token });
  return Array.isArray(answer) ? answer : answer.items;
}

export interface QueueHealth {
  tasks: Partial<Record<string, number>>;
}

export function queueHealth(admin: Person): Promise<QueueHealth> {
  return call<QueueHealth>('GET', '/admin/queues', { token: admin.token });
}
