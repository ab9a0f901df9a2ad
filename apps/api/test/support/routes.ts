import type { HttpClient } from './http.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;
export type Role = 'admin' | 'client' | 'assistant';

/** A documented route, read from the OpenAPI document the API serves. */
export interface Op {
  method: string;
  path: string;
  params: { name: string; in: string; schema?: Json }[];
  body?: Json;
  success: Record<string, Json | undefined>;
}

export async function documentedOps(http: HttpClient): Promise<{ doc: Json; ops: Op[] }> {
  const doc = (await http.get('/api/docs-json')).body as Json;
  const ops = Object.entries(doc.paths as Json).flatMap(([path, byMethod]) =>
    Object.entries(byMethod as Json).map(([method, op]) => ({
      method,
      path,
      params: (op.parameters ?? []) as Op['params'],
      body: op.requestBody?.content?.['application/json']?.schema,
      success: Object.fromEntries(
        Object.entries(op.responses as Json)
          .filter(([code]) => code.startsWith('2'))
          .map(([code, r]) => [code, (r as Json).content?.['application/json']?.schema]),
      ),
    })),
  );
  return { doc, ops };
}

/** The role that may call a route, so a request reaches validation and the database rather than the role check. */
export function roleFor(method: string, path: string): Role {
  if ((method === 'post' && path === '/api/qualification-attempts') || /\/tasks\/(available|claim-next)$|\/tasks\/\{id\}\/(claim|start|release|return|checklist\/\{stepId\})$|availability$|\/billing\/earnings$|\/disputes\/\{id\}\/answer$/.test(path)) return 'assistant';
  if (/\/tasks\/quote$|\/tasks\/\{id\}\/(accept|revise|rating|dispute)$|\/billing\/statement(\.csv|\.pdf)?$|\/templates\/\{id\}\/preview$|\/imports(\/\{id\}\/confirm)?$/.test(path) || (method === 'post' && path === '/api/tasks')) return 'client';
  // Clients manage their organization's schedules; admins only read them.
  if (method !== 'get' && /^\/api\/schedules(\/\{id\}(\/(pause|resume|skip))?)?$/.test(path)) return 'client';
  return 'admin';
}

const NO_TASK = '00000000-0000-4000-8000-000000000000';

/** A body every write route accepts as valid (the refusal, if any, comes from the state of things, not the shape). */
export function validBody(key: string, taskId = NO_TASK): Json | undefined {
  const bodies: Record<string, Json> = {
    'POST /api/auth/register': { email: 'valid@example.com', password: 'correct-horse-battery', name: 'S', role: 'client', organizationName: 'S Org' },
    'POST /api/auth/login': { email: 'valid@example.com', password: 'correct-horse-battery' },
    'POST /api/users': { email: 'valid2@example.com', password: 'correct-horse-battery', name: 'S', role: 'assistant', skills: ['research'] },
    'PATCH /api/users/{id}': { maxConcurrentTasks: 4 },
    'PUT /api/assistants/me/availability': { online: true },
    'PUT /api/rate-card/{category}': { basePriceCents: 2000 },
    'POST /api/tasks/quote': { category: 'research', priority: 'normal' },
    'POST /api/tasks': { title: 'T', instructions: 'I', category: 'research', deadline: new Date(Date.now() + 86_400_000).toISOString() },
    'POST /api/tasks/{id}/return': { result: 'R' },
    'PUT /api/tasks/{id}/checklist/{stepId}': { done: true, note: 'N' },
    'POST /api/tasks/{id}/revise': { feedback: 'F' },
    'POST /api/billing/adjustments': { taskId, kind: 'adjustment', amountCents: 1, reason: 'r' },
    'POST /api/admin/queues/{queue}/retry': { jobIds: ['no-such-job'] },
    'POST /api/templates': { name: 'T', category: 'research', instructions: 'I', deadlineRule: { kind: 'business_hours', hours: 4 } },
    'PATCH /api/templates/{id}': { name: 'T2', instructions: 'I2' },
    'PUT /api/templates/{id}/budget': { monthlyBudgetCents: 100_000 },
    'POST /api/templates/{id}/preview': { inputs: {}, priority: 'normal', submittedAt: new Date().toISOString() },
    'PATCH /api/organizations/{id}/settings': { timeZone: 'Europe/Berlin', holidays: ['2026-12-24'] },
    // Two-factor: shaped right, but never the right code or password, so nothing changes.
    'POST /api/auth/login/two-factor': { challengeToken: 'not-a-challenge', code: '123456', rememberDevice: true },
    'PUT /api/auth/password': { currentPassword: 'not-the-password', newPassword: 'another-horse-battery' },
    'POST /api/auth/two-factor/enrolment/confirm': { code: '123456' },
    'POST /api/auth/two-factor/recovery-codes': { code: '123456' },
    'POST /api/auth/two-factor/disable': { password: 'not-the-password', code: '123456' },
    'PUT /api/organizations/{id}/two-factor-policy': { requireTwoFactor: false },
    // Account mail: a token of the right shape that was never issued, so nothing changes.
    'POST /api/auth/password-reset': { email: 'valid@example.com' },
    'POST /api/auth/password-reset/confirm': { token: 'A'.repeat(43), password: 'another-horse-battery' },
    'POST /api/auth/verify-email': { token: 'A'.repeat(43) },
    'POST /api/tasks/{id}/messages': { body: 'Hello' },
    'PATCH /api/tasks/{id}/messages/{messageId}': { body: 'Hello again' },
    'POST /api/tasks/{id}/messages/seen': { upTo: NO_TASK },
    // A public address literal: no DNS, and the target guard lets it through.
    'POST /api/webhooks': { url: 'https://93.184.215.14/hook', events: ['task.escalated'], description: 'D' },
    'PATCH /api/webhooks/{id}': { url: 'https://93.184.215.14/other', description: 'D2' },
    'PUT /api/tasks/{id}/rating': { stars: 4, comment: 'Clean work.' },
    'PUT /api/me/notification-settings': { channels: { message: 'app' } },
    // No such template: refused after the shape is checked, so nothing is stored.
    'POST /api/imports': { templateId: NO_TASK, csv: 'folder\nx' },
    'POST /api/schedules': { templateId: NO_TASK, rule: { kind: 'weekly', days: ['mon'], time: '09:00', start: new Date().toISOString() }, inputs: {}, priority: 'normal', name: 'S' },
    'PATCH /api/schedules/{id}': { name: 'S2', priority: 'high' },
    'POST /api/schedules/{id}/pause': { reason: 'R' },
    // Payroll is required by no test; a requirement left off changes nothing.
    'PUT /api/qualifications/{category}': { required: false },
    'POST /api/qualification-tasks': { category: 'payroll', instructions: 'I', rubric: 'R' },
    // No such qualification task or attempt: refused after the shape is checked.
    'POST /api/qualification-attempts': { qualificationTaskId: NO_TASK, answer: 'A' },
    'POST /api/qualification-attempts/{id}/review': { outcome: 'failed', notes: 'N' },
    'POST /api/tasks/{id}/dispute': { reason: 'R' },
    'POST /api/disputes/{id}/answer': { answer: 'A' },
    'POST /api/disputes/{id}/resolve': { outcome: 'refund', amountCents: 1, note: 'N' },
  };
  return bodies[key];
}

/** The route's path with valid parameters: `userId` for /api/users/{id}, `taskId` for the other ids. */
export function validPath(path: string, ids: { userId: string; taskId?: string; organizationId?: string }): string {
  const id = path.startsWith('/api/users') ? ids.userId : path.startsWith('/api/organizations') ? (ids.organizationId ?? NO_TASK) : (ids.taskId ?? NO_TASK);
  return path.replace('{id}', id).replace('{versionId}', NO_TASK).replace('{stepId}', NO_TASK).replace('{messageId}', NO_TASK).replace('{deliveryId}', NO_TASK).replace('{assistantId}', NO_TASK).replace('{category}', 'research').replace('{queue}', 'timers');
}
