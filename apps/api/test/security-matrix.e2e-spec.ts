import { randomBytes } from 'node:crypto';
import { PASSWORD, loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import type { Res } from './support/http.js';
import { png } from './support/file-samples.js';
import { settled } from './support/settle.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Who calls: anonymous; client A (the tenant whose data is probed); client B of another
// organization; assistant X (A's tasks are assigned to X); assistant Y (other skills); an admin.
type Caller = 'anon' | 'A' | 'B' | 'X' | 'Y' | 'admin';
const CALLERS: Caller[] = ['anon', 'B', 'Y', 'A', 'X', 'admin']; // refusals first: they must change nothing

// `ok`: authorization let the call through (any answer but 401/403/404, never 5xx);
// a number: exactly that status.
type Want = number | 'ok';
type Row = Record<Caller, Want>;

interface Fixture {
  taskId: string;
  userA: string;
  orgA: string;
  assistantX: string;
  /** A fresh template of A's, and its first version. */
  templateId: string;
  versionId: string;
  /** A message of A's on the task. */
  messageId: string;
  /** A's webhook endpoint and one delivery of it. */
  webhookId: string;
  deliveryId: string;
  /** An entry of A's inbox. */
  notificationId: string;
  /** A data-entry template of A's, and an import against it in preview. */
  importTemplateId: string;
  importId: string;
  /** A schedule of A's on its template. */
  scheduleId: string;
  /** A qualification task (payroll, which requires nothing here), and X's attempt at it waiting for review. */
  qualificationTaskId: string;
  attemptId: string;
  /** A dispute A opened on work X returned. */
  disputeId: string;
  /** A file A attached to the task, and the token of a download link A made for it. */
  fileId: string;
  downloadToken: string;
}

interface Route {
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  want: Row;
}

const u = () => randomBytes(4).toString('hex');
const all = (w: Want): Row => ({ anon: w, A: w, B: w, X: w, Y: w, admin: w });
const signedIn = (w: Partial<Row> = {}): Row => ({ anon: 401, A: 'ok', B: 'ok', X: 'ok', Y: 'ok', admin: 'ok', ...w });
const adminOnly: Row = { anon: 401, A: 403, B: 403, X: 403, Y: 403, admin: 'ok' };
const clientsOnly: Row = { anon: 401, A: 'ok', B: 'ok', X: 403, Y: 403, admin: 403 };
const assistantsOnly: Row = { anon: 401, A: 403, B: 403, X: 'ok', Y: 'ok', admin: 403 };
// A's task, claimed by X: only X may work it, only A may review it; B and Y may not even see it.
const assigneeWork: Row = { anon: 401, A: 403, B: 403, X: 'ok', Y: 404, admin: 403 };
// Its checklist: only X ticks it; A and admins see the task but may not; B and Y do not see it.
const checklistWork: Row = { anon: 401, A: 403, B: 404, X: 'ok', Y: 404, admin: 403 };
const ownerReview: Row = { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 403 };
// Templates and settings: clients and admins; another organization's are not there; assistants are refused.
const orgRead: Row = { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 'ok' };
const templateWrite: Row = { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 403 };
// A task's conversation: its organization, its assignee and admins; changing a message is its author's (A's here).
const conversation: Row = { anon: 401, A: 'ok', B: 404, X: 'ok', Y: 404, admin: 'ok' };
const messageAuthor: Row = { anon: 401, A: 'ok', B: 404, X: 403, Y: 404, admin: 403 };
// Webhooks: an organization's are its clients'; an admin manages the platform's, so an organization's is not there for one.
const webhookOwned: Row = { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 404 };
// Port 9 (discard) on loopback: nothing listens, so anything sent fails at once.
const webhookBody = () => ({ url: 'http://127.0.0.1:9/matrix', events: ['task.escalated'] });
const scheduleBody = (f: Fixture) => ({ templateId: f.templateId, rule: { kind: 'weekdays', time: '08:00', start: new Date().toISOString() } });
// Qualifications are the platform's: admins set and review them; assistants read the tasks and answer; clients have no part.
const qualificationRead: Row = { anon: 401, A: 403, B: 403, X: 'ok', Y: 'ok', admin: 'ok' };
const templateBody = () => ({ name: 'Matrix SOP', category: 'research', instructions: 'Do it.', deadlineRule: { kind: 'business_hours', hours: 4 } });

/** Every documented route, and what each caller must get. A route missing here fails the suite. */
const MATRIX: Record<string, Route> = {
  'POST /api/auth/register': {
    path: () => '/api/auth/register',
    body: () => ({ email: `m-${u()}@example.com`, password: PASSWORD, name: 'Matrix', role: 'assistant', skills: ['research'] }),
    want: all('ok'),
  },
  'POST /api/auth/login': { path: () => '/api/auth/login', body: () => ({ email: `nobody-${u()}@example.com`, password: 'wrong-password' }), want: all(401) },
  'POST /api/auth/refresh': { path: () => '/api/auth/refresh', want: all(401) },
  'POST /api/auth/logout': { path: () => '/api/auth/logout', want: all(204) },
  'GET /api/auth/me': { path: () => '/api/auth/me', want: signedIn() },
  'POST /api/auth/login/two-factor': { path: () => '/api/auth/login/two-factor', body: () => ({ challengeToken: 'not-a-challenge', code: '123456' }), want: all(401) },
  'PUT /api/auth/password': { path: () => '/api/auth/password', body: () => ({ currentPassword: 'not-the-password', newPassword: 'another-horse-battery' }), want: signedIn() },
  'GET /api/auth/two-factor': { path: () => '/api/auth/two-factor', want: signedIn() },
  'POST /api/auth/password-reset': { path: () => '/api/auth/password-reset', body: () => ({ email: `nobody-${u()}@example.com` }), want: all('ok') },
  'POST /api/auth/password-reset/confirm': { path: () => '/api/auth/password-reset/confirm', body: () => ({ token: 'A'.repeat(43), password: 'another-horse-battery' }), want: all(400) },
  'POST /api/auth/verify-email': { path: () => '/api/auth/verify-email', body: () => ({ token: 'A'.repeat(43) }), want: all(400) },
  'POST /api/auth/verify-email/resend': { path: () => '/api/auth/verify-email/resend', want: signedIn() },
  'POST /api/auth/two-factor/enrolment': { path: () => '/api/auth/two-factor/enrolment', want: signedIn() },
  'POST /api/auth/two-factor/enrolment/confirm': { path: () => '/api/auth/two-factor/enrolment/confirm', body: () => ({ code: '123456' }), want: signedIn() },
  'POST /api/auth/two-factor/recovery-codes': { path: () => '/api/auth/two-factor/recovery-codes', body: () => ({ code: '123456' }), want: signedIn() },
  'POST /api/auth/two-factor/disable': { path: () => '/api/auth/two-factor/disable', body: () => ({ password: 'not-the-password', code: '123456' }), want: signedIn() },
  'GET /api/organizations/{id}/two-factor-policy': { path: (f) => `/api/organizations/${f.orgA}/two-factor-policy`, want: { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 'ok' } },
  'PUT /api/organizations/{id}/two-factor-policy': { path: (f) => `/api/organizations/${f.orgA}/two-factor-policy`, body: () => ({ requireTwoFactor: false }), want: { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 'ok' } },
  'GET /api/users': { path: () => '/api/users', want: adminOnly },
  'POST /api/users': { path: () => '/api/users', body: () => ({ email: `m-${u()}@example.com`, password: PASSWORD, name: 'Made', role: 'assistant', skills: ['research'] }), want: adminOnly },
  'GET /api/users/{id}': { path: (f) => `/api/users/${f.userA}`, want: { anon: 401, A: 'ok', B: 404, X: 404, Y: 404, admin: 'ok' } },
  'PATCH /api/users/{id}': { path: (f) => `/api/users/${f.userA}`, body: () => ({ suspended: false }), want: adminOnly },
  'GET /api/organizations/{id}': { path: (f) => `/api/organizations/${f.orgA}`, want: { anon: 401, A: 'ok', B: 404, X: 404, Y: 404, admin: 'ok' } },
  'PUT /api/assistants/me/availability': { path: () => '/api/assistants/me/availability', body: () => ({ online: true }), want: assistantsOnly },
  'GET /api/rate-card': { path: () => '/api/rate-card', want: signedIn() },
  'PUT /api/rate-card/{category}': { path: () => '/api/rate-card/research', body: () => ({ basePriceCents: 2500 }), want: adminOnly },
  'POST /api/tasks/quote': { path: () => '/api/tasks/quote', body: () => ({ category: 'data_entry', priority: 'high' }), want: clientsOnly },
  'POST /api/tasks': {
    path: () => '/api/tasks',
    body: () => ({ title: 'Matrix task', instructions: 'Do it.', category: 'payroll', deadline: new Date(Date.now() + 86_400_000).toISOString() }),
    want: clientsOnly,
  },
  'GET /api/tasks': { path: () => '/api/tasks', want: signedIn() },
  'GET /api/tasks/available': { path: () => '/api/tasks/available', want: assistantsOnly },
  'POST /api/tasks/claim-next': { path: () => '/api/tasks/claim-next', want: assistantsOnly },
  'GET /api/tasks/{id}': { path: (f) => `/api/tasks/${f.taskId}`, want: { anon: 401, A: 'ok', B: 404, X: 'ok', Y: 404, admin: 'ok' } },
  'POST /api/tasks/{id}/claim': { path: (f) => `/api/tasks/${f.taskId}/claim`, want: assigneeWork },
  'POST /api/tasks/{id}/start': { path: (f) => `/api/tasks/${f.taskId}/start`, want: assigneeWork },
  'POST /api/tasks/{id}/release': { path: (f) => `/api/tasks/${f.taskId}/release`, want: assigneeWork },
  'POST /api/tasks/{id}/return': { path: (f) => `/api/tasks/${f.taskId}/return`, body: () => ({ result: 'Done.' }), want: assigneeWork },
  'PUT /api/tasks/{id}/checklist/{stepId}': { path: (f) => `/api/tasks/${f.taskId}/checklist/00000000-0000-4000-8000-000000000000`, body: () => ({ done: true, note: 'Matrix.' }), want: checklistWork },
  'POST /api/tasks/{id}/accept': { path: (f) => `/api/tasks/${f.taskId}/accept`, want: ownerReview },
  'POST /api/tasks/{id}/revise': { path: (f) => `/api/tasks/${f.taskId}/revise`, body: () => ({ feedback: 'Again.' }), want: ownerReview },
  'POST /api/tasks/{id}/cancel': { path: (f) => `/api/tasks/${f.taskId}/cancel`, want: { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 'ok' } },
  'GET /api/admin/queues': { path: () => '/api/admin/queues', want: adminOnly },
  'GET /api/admin/audit': { path: () => '/api/admin/audit', want: adminOnly },
  'GET /api/admin/queues/{queue}/failed': { path: () => '/api/admin/queues/timers/failed', want: adminOnly },
  'POST /api/admin/queues/{queue}/retry': { path: () => '/api/admin/queues/timers/retry', body: () => ({}), want: adminOnly },
  'GET /api/health': { path: () => '/api/health', want: all(200) },
  'GET /api/health/live': { path: () => '/api/health/live', want: all(200) },
  'GET /api/billing/entries': { path: () => '/api/billing/entries', want: signedIn() },
  'GET /api/billing/summary': { path: () => '/api/billing/summary', want: adminOnly },
  'GET /api/billing/export.csv': { path: () => '/api/billing/export.csv', want: adminOnly },
  'POST /api/billing/adjustments': {
    path: () => '/api/billing/adjustments',
    body: (f) => ({ taskId: f.taskId, kind: 'adjustment', amountCents: 1, reason: 'matrix probe' }),
    want: adminOnly,
  },
  'GET /api/billing/statement': { path: (f) => `/api/billing/statement?organizationId=${f.orgA}`, want: { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 'ok' } },
  'GET /api/billing/statement.csv': { path: (f) => `/api/billing/statement.csv?organizationId=${f.orgA}`, want: { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 'ok' } },
  'GET /api/billing/statement.pdf': { path: (f) => `/api/billing/statement.pdf?organizationId=${f.orgA}`, want: { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 'ok' } },
  'GET /api/templates': { path: () => '/api/templates', want: { ...clientsOnly, admin: 'ok' } },
  'POST /api/templates': { path: () => '/api/templates', body: templateBody, want: { ...clientsOnly, admin: 'ok' } },
  'GET /api/templates/{id}': { path: (f) => `/api/templates/${f.templateId}`, want: orgRead },
  'PATCH /api/templates/{id}': { path: (f) => `/api/templates/${f.templateId}`, body: () => ({ name: 'Matrix SOP, edited' }), want: templateWrite },
  'POST /api/templates/{id}/archive': { path: (f) => `/api/templates/${f.templateId}/archive`, want: templateWrite },
  'POST /api/templates/{id}/unarchive': { path: (f) => `/api/templates/${f.templateId}/unarchive`, want: templateWrite },
  'GET /api/templates/{id}/versions': { path: (f) => `/api/templates/${f.templateId}/versions`, want: orgRead },
  'GET /api/templates/{id}/versions/{versionId}': { path: (f) => `/api/templates/${f.templateId}/versions/${f.versionId}`, want: orgRead },
  // A is its organization's owner; an admin may set any organization's template budget.
  'PUT /api/templates/{id}/budget': { path: (f) => `/api/templates/${f.templateId}/budget`, body: () => ({ monthlyBudgetCents: 100_000 }), want: orgRead },
  'GET /api/templates/{id}/process': { path: (f) => `/api/templates/${f.templateId}/process`, want: orgRead },
  'GET /api/templates/{id}/runs': { path: (f) => `/api/templates/${f.templateId}/runs`, want: orgRead },
  'POST /api/templates/{id}/preview': { path: (f) => `/api/templates/${f.templateId}/preview`, body: () => ({ inputs: {} }), want: templateWrite },
  'GET /api/organizations/{id}/settings': { path: (f) => `/api/organizations/${f.orgA}/settings`, want: orgRead },
  'PATCH /api/organizations/{id}/settings': { path: (f) => `/api/organizations/${f.orgA}/settings`, body: () => ({ timeZone: 'Europe/Berlin' }), want: orgRead },
  'GET /api/tasks/{id}/messages': { path: (f) => `/api/tasks/${f.taskId}/messages`, want: conversation },
  'POST /api/tasks/{id}/messages': { path: (f) => `/api/tasks/${f.taskId}/messages`, body: () => ({ body: `Matrix message ${u()}` }), want: conversation },
  'POST /api/tasks/{id}/messages/seen': { path: (f) => `/api/tasks/${f.taskId}/messages/seen`, body: (f) => ({ upTo: f.messageId }), want: conversation },
  'PATCH /api/tasks/{id}/messages/{messageId}': { path: (f) => `/api/tasks/${f.taskId}/messages/${f.messageId}`, body: () => ({ body: 'Matrix message, edited' }), want: messageAuthor },
  'DELETE /api/tasks/{id}/messages/{messageId}': { path: (f) => `/api/tasks/${f.taskId}/messages/${f.messageId}`, want: messageAuthor },
  'GET /api/messages/unread': { path: () => '/api/messages/unread', want: signedIn() },
  // Everyone has an inbox of their own; another's entry is not there for anyone, admins included.
  'GET /api/notifications': { path: () => '/api/notifications', want: signedIn() },
  'GET /api/notifications/unread-count': { path: () => '/api/notifications/unread-count', want: signedIn() },
  'POST /api/notifications/read-all': { path: () => '/api/notifications/read-all', want: signedIn() },
  'POST /api/notifications/{id}/read': { path: (f) => `/api/notifications/${f.notificationId}/read`, want: { anon: 401, A: 'ok', B: 404, X: 404, Y: 404, admin: 404 } },
  'GET /api/me/notification-settings': { path: () => '/api/me/notification-settings', want: signedIn() },
  'PUT /api/me/notification-settings': { path: () => '/api/me/notification-settings', body: () => ({ channels: { message: 'app' } }), want: signedIn() },
  'GET /api/webhooks': { path: () => '/api/webhooks', want: { ...clientsOnly, admin: 'ok' } },
  'POST /api/webhooks': { path: () => '/api/webhooks', body: webhookBody, want: { ...clientsOnly, admin: 'ok' } },
  'GET /api/webhooks/{id}': { path: (f) => `/api/webhooks/${f.webhookId}`, want: webhookOwned },
  'PATCH /api/webhooks/{id}': { path: (f) => `/api/webhooks/${f.webhookId}`, body: () => ({ description: 'matrix' }), want: webhookOwned },
  'DELETE /api/webhooks/{id}': { path: (f) => `/api/webhooks/${f.webhookId}`, want: webhookOwned },
  'POST /api/webhooks/{id}/rotate-secret': { path: (f) => `/api/webhooks/${f.webhookId}/rotate-secret`, want: webhookOwned },
  'GET /api/webhooks/{id}/deliveries': { path: (f) => `/api/webhooks/${f.webhookId}/deliveries`, want: webhookOwned },
  'POST /api/webhooks/{id}/deliveries/{deliveryId}/redeliver': { path: (f) => `/api/webhooks/${f.webhookId}/deliveries/${f.deliveryId}/redeliver`, want: webhookOwned },
  'POST /api/webhooks/{id}/ping': { path: (f) => `/api/webhooks/${f.webhookId}/ping`, want: webhookOwned },
  // A's task X holds is not accepted: A may ask (409), X read its rating, nobody else sees it.
  'GET /api/tasks/{id}/rating': { path: (f) => `/api/tasks/${f.taskId}/rating`, want: { anon: 401, A: 'ok', B: 404, X: 'ok', Y: 404, admin: 'ok' } },
  'PUT /api/tasks/{id}/rating': { path: (f) => `/api/tasks/${f.taskId}/rating`, body: () => ({ stars: 4 }), want: { anon: 401, A: 409, B: 404, X: 403, Y: 403, admin: 403 } },
  // X worked for A (the billed task): A reads the short card; B and Y may not.
  'GET /api/assistants/{id}/scorecard': { path: (f) => `/api/assistants/${f.assistantX}/scorecard`, want: { anon: 401, A: 'ok', B: 404, X: 'ok', Y: 404, admin: 'ok' } },
  'GET /api/organizations/{id}/preferred-assistants': { path: (f) => `/api/organizations/${f.orgA}/preferred-assistants`, want: orgRead },
  'PUT /api/organizations/{id}/preferred-assistants/{assistantId}': { path: (f) => `/api/organizations/${f.orgA}/preferred-assistants/${f.assistantX}`, want: orgRead },
  'DELETE /api/organizations/{id}/preferred-assistants/{assistantId}': {
    path: (f) => `/api/organizations/${f.orgA}/preferred-assistants/${f.assistantX}`,
    want: { anon: 401, A: 'ok', B: 404, X: 403, Y: 403, admin: 'ok' },
  },
  // Imports: the organization's clients upload and confirm; admins read; another organization's template is bad input, its import not there.
  'POST /api/imports': { path: () => '/api/imports', body: (f) => ({ templateId: f.importTemplateId, csv: `title\nMatrix row ${u()}` }), want: { anon: 401, A: 'ok', B: 400, X: 403, Y: 403, admin: 403 } },
  'GET /api/imports/{id}': { path: (f) => `/api/imports/${f.importId}`, want: orgRead },
  'POST /api/imports/{id}/confirm': { path: (f) => `/api/imports/${f.importId}/confirm`, want: templateWrite },
  'GET /api/imports/{id}/report': { path: (f) => `/api/imports/${f.importId}/report`, want: orgRead },
  // Schedules: an organization's clients manage them; admins read every organization's; assistants are refused.
  'GET /api/schedules': { path: () => '/api/schedules', want: { ...clientsOnly, admin: 'ok' } },
  'POST /api/schedules': { path: () => '/api/schedules', body: scheduleBody, want: templateWrite },
  'GET /api/schedules/{id}': { path: (f) => `/api/schedules/${f.scheduleId}`, want: orgRead },
  'PATCH /api/schedules/{id}': { path: (f) => `/api/schedules/${f.scheduleId}`, body: () => ({ name: 'Matrix schedule, edited' }), want: templateWrite },
  'DELETE /api/schedules/{id}': { path: (f) => `/api/schedules/${f.scheduleId}`, want: templateWrite },
  'POST /api/schedules/{id}/pause': { path: (f) => `/api/schedules/${f.scheduleId}/pause`, body: () => ({}), want: templateWrite },
  'POST /api/schedules/{id}/resume': { path: (f) => `/api/schedules/${f.scheduleId}/resume`, want: templateWrite },
  'POST /api/schedules/{id}/skip': { path: (f) => `/api/schedules/${f.scheduleId}/skip`, want: templateWrite },
  'GET /api/schedules/{id}/runs': { path: (f) => `/api/schedules/${f.scheduleId}/runs`, want: orgRead },
  'GET /api/qualifications': { path: () => '/api/qualifications', want: signedIn() },
  'PUT /api/qualifications/{category}': { path: () => '/api/qualifications/payroll', body: () => ({ required: false }), want: adminOnly },
  'GET /api/qualification-tasks': { path: () => '/api/qualification-tasks?category=payroll', want: qualificationRead },
  'POST /api/qualification-tasks': { path: () => '/api/qualification-tasks', body: () => ({ category: 'payroll', instructions: 'Matrix task.', rubric: 'Matrix rubric.' }), want: adminOnly },
  'GET /api/qualification-attempts': { path: () => '/api/qualification-attempts', want: qualificationRead },
  // X has an attempt waiting (409); Y answers.
  'POST /api/qualification-attempts': {
    path: () => '/api/qualification-attempts',
    body: (f) => ({ qualificationTaskId: f.qualificationTaskId, answer: 'Matrix answer.' }),
    want: { anon: 401, A: 403, B: 403, X: 'ok', Y: 'ok', admin: 403 },
  },
  'GET /api/qualification-attempts/{id}': { path: (f) => `/api/qualification-attempts/${f.attemptId}`, want: { anon: 401, A: 403, B: 403, X: 'ok', Y: 404, admin: 'ok' } },
  'POST /api/qualification-attempts/{id}/review': { path: (f) => `/api/qualification-attempts/${f.attemptId}/review`, body: () => ({ outcome: 'failed' }), want: adminOnly },
  // Disputes: A's task X holds is claimed, not returned, so A may ask (409); a dispute of A's against X (fixture.disputeId) is read by A, X and admins, answered by X, resolved by admins.
  'POST /api/tasks/{id}/dispute': { path: (f) => `/api/tasks/${f.taskId}/dispute`, body: () => ({ reason: 'Not what we asked.' }), want: { anon: 401, A: 409, B: 404, X: 403, Y: 403, admin: 403 } },
  'GET /api/tasks/{id}/disputes': { path: (f) => `/api/tasks/${f.taskId}/disputes`, want: { anon: 401, A: 'ok', B: 404, X: 'ok', Y: 404, admin: 'ok' } },
  'GET /api/disputes': { path: () => '/api/disputes', want: adminOnly },
  'GET /api/disputes/{id}': { path: (f) => `/api/disputes/${f.disputeId}`, want: { anon: 401, A: 'ok', B: 404, X: 'ok', Y: 404, admin: 'ok' } },
  'POST /api/disputes/{id}/answer': { path: (f) => `/api/disputes/${f.disputeId}/answer`, body: () => ({ answer: 'It is.' }), want: { anon: 401, A: 403, B: 403, X: 'ok', Y: 404, admin: 403 } },
  'POST /api/disputes/{id}/resolve': { path: (f) => `/api/disputes/${f.disputeId}/resolve`, body: () => ({ outcome: 'rework', note: 'Fix it.' }), want: adminOnly },
  // A task's files: whoever takes part in it reads them (JSON is not a file: A, X and admins reach the form's check, 400);
  // only the uploader (A) deletes. A download link is the credential: it answers whoever holds it while A may read the task.
  'POST /api/tasks/{id}/files': { path: (f) => `/api/tasks/${f.taskId}/files`, body: () => ({ purpose: 'attachment' }), want: conversation },
  'GET /api/tasks/{id}/files': { path: (f) => `/api/tasks/${f.taskId}/files`, want: conversation },
  'GET /api/files/{id}/link': { path: (f) => `/api/files/${f.fileId}/link`, want: conversation },
  'GET /api/files/download': { path: (f) => `/api/files/download?token=${encodeURIComponent(f.downloadToken)}`, want: all(200) },
  'DELETE /api/files/{id}': { path: (f) => `/api/files/${f.fileId}`, want: messageAuthor },
  'GET /api/billing/earnings': { path: (f) => `/api/billing/earnings?assistantId=${f.assistantX}`, want: { anon: 401, A: 403, B: 403, X: 'ok', Y: 404, admin: 'ok' } },
};

describe('security: authorization matrix', () => {
  let t: TestApp;
  const s = {} as Record<Exclude<Caller, 'anon'>, Session>;
  const sockets: Partial<Record<Caller, LiveClient>> = {};
  const marker = `alpha${u()}`;
  const secrets = new Set<string>();
  const seenBy: Record<'B' | 'Y', string[]> = { B: [], Y: [] };
  const figures = { calls: 0, refused401: 0, refused403: 0, refused404: 0 };

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    s.A = await registerClient(t.http, { organizationName: `Org ${marker}`, name: `Alice ${marker}`, email: `alice-${marker}@example.com` });
    s.B = await registerClient(t.http);
    s.X = await registerAssistant(t.http, ['data_entry']);
    s.Y = await registerAssistant(t.http, ['research']);
    s.admin = await loginAdmin(t.http, t.config);
    // Every row's fixture is a task X holds; room for all of them, past what the API lets an admin set.
    await t.db.query(`UPDATE users SET max_concurrent_tasks = 1000 WHERE id = $1`, [s.X.user.id]);
    for (const v of [s.A.user.id, s.A.user.email, s.A.user.name, s.A.user.organizationId!, `Org ${marker}`, marker]) secrets.add(v);
    for (const c of ['A', 'B', 'Y'] as const) sockets[c] = await LiveClient.connect(t.url, s[c].token);
    await t.http.put('/api/assistants/me/availability', { online: true }, { token: s.X.token });
    await t.http.put('/api/assistants/me/availability', { online: true }, { token: s.Y.token });
    // History for A's tenant that lists, exports and events could leak: a billed task and a queued one.
    const billed = await submitTask(t.http, s.A, { title: `Billed ${marker}` });
    for (const step of ['claim', 'start']) await act(t.http, s.X, billed.id, step);
    await act(t.http, s.X, billed.id, 'return', { result: `Result ${marker}` });
    secrets.add(billed.id);
    secrets.add((await submitTask(t.http, s.A, { title: `Queued ${marker}` })).id);
    const disputed = await submitTask(t.http, s.A, { title: `Disputed ${marker}` });
    for (const step of ['claim', 'start']) await act(t.http, s.X, disputed.id, step);
    await act(t.http, s.X, disputed.id, 'return', { result: `Result ${marker}` });
    const dispute = await t.http.post(`/api/tasks/${disputed.id}/dispute`, { reason: `Reason ${marker}` }, { token: s.A.token });
    if (dispute.status !== 201) throw new Error(`dispute failed: ${dispute.status} ${dispute.text}`);
    disputeId = dispute.body.id;
    secrets.add(disputed.id);
    secrets.add(disputeId);
  });
  afterAll(async () => {
    Object.values(sockets).forEach((c) => c?.close());
    await t.close();
  });

  let importTemplateId: string | undefined;
  let qualificationTaskId: string | undefined;
  let disputeId = '';

  async function fixture(): Promise<Fixture> {
    const task = await submitTask(t.http, s.A, { title: `Probe ${marker}` });
    const claimed = await act(t.http, s.X, task.id, 'claim');
    if (claimed.status !== 200) throw new Error(`fixture claim failed: ${claimed.status} ${claimed.text}`);
    secrets.add(task.id);
    const template = await t.http.post('/api/templates', { ...templateBody(), name: `SOP ${marker}` }, { token: s.A.token });
    if (template.status !== 201) throw new Error(`fixture template failed: ${template.status} ${template.text}`);
    secrets.add(template.body.id);
    secrets.add(template.body.versionId);
    const message = await t.http.post(`/api/tasks/${task.id}/messages`, { body: `Message ${marker}` }, { token: s.A.token });
    if (message.status !== 201) throw new Error(`fixture message failed: ${message.status} ${message.text}`);
    secrets.add(message.body.id);
    // A fresh endpoint of A's each time (a row may delete it; an owner has at most 20), with a delivered delivery to redeliver.
    await t.db.query(`DELETE FROM webhook_endpoints WHERE organization_id = $1`, [s.A.user.organizationId]);
    const webhook = await t.http.post('/api/webhooks', webhookBody(), { token: s.A.token });
    if (webhook.status !== 201) throw new Error(`fixture webhook failed: ${webhook.status} ${webhook.text}`);
    secrets.add(webhook.body.id);
    secrets.add(webhook.body.secret);
    const delivery = await t.http.post(`/api/webhooks/${webhook.body.id}/ping`, undefined, { token: s.A.token });
    await t.db.query(`UPDATE webhook_deliveries SET status = 'delivered' WHERE id = $1`, [delivery.body.id]);
    secrets.add(delivery.body.id);
    // The claim files a notice in A's inbox once the relay has handed it on.
    const notice = await eventually(
      async () => (await t.db.query<{ id: string }>(`SELECT id FROM notifications WHERE user_id = $1 AND task_id = $2`, [s.A.user.id, task.id])).rows[0]?.id,
      (id) => id !== undefined,
    );
    secrets.add(notice!);
    // Imported tasks are data entry, X's skill: a confirm queues them, and Y (research) must see none of A's.
    importTemplateId ??= (await t.http.post('/api/templates', { ...templateBody(), name: `Import SOP ${marker}`, category: 'data_entry' }, { token: s.A.token })).body.id as string;
    const upload = await t.http.post('/api/imports', { templateId: importTemplateId, csv: `title\nImported ${u()}` }, { token: s.A.token });
    if (upload.status !== 201) throw new Error(`fixture import failed: ${upload.status} ${upload.text}`);
    secrets.add(upload.body.id);
    const schedule = await t.http.post('/api/schedules', scheduleBody({ templateId: template.body.id } as Fixture), { token: s.A.token });
    if (schedule.status !== 201) throw new Error(`fixture schedule failed: ${schedule.status} ${schedule.text}`);
    secrets.add(schedule.body.id);
    qualificationTaskId ??= (await t.http.post('/api/qualification-tasks', { category: 'payroll', instructions: 'Run a payroll.', rubric: 'Totals match.' }, { token: s.admin.token })).body.id as string;
    // X's previous attempt reviewed, so a fresh one waits.
    await t.db.query(`UPDATE qualification_attempts SET status = 'failed', reviewed_at = now() WHERE assistant_id = $1 AND status = 'submitted'`, [s.X.user.id]);
    const attempt = await t.http.post('/api/qualification-attempts', { qualificationTaskId, answer: 'Fixture answer.' }, { token: s.X.token });
    if (attempt.status !== 201) throw new Error(`fixture attempt failed: ${attempt.status} ${attempt.text}`);
    const form = new FormData();
    form.append('purpose', 'attachment');
    form.append('file', new Blob([png()]), `brief-${u()}.png`);
    const uploaded = await fetch(`${t.url}/api/tasks/${task.id}/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${s.A.token}` } });
    const file = (await uploaded.json()) as { id: string };
    if (uploaded.status !== 201) throw new Error(`fixture file failed: ${uploaded.status} ${JSON.stringify(file)}`);
    secrets.add(file.id);
    const link = await t.http.get(`/api/files/${file.id}/link`, { token: s.A.token });
    if (link.status !== 200) throw new Error(`fixture link failed: ${link.status} ${link.text}`);
    return {
      fileId: file.id,
      downloadToken: new URL(link.body.url as string, t.url).searchParams.get('token')!,
      taskId: task.id,
      userA: s.A.user.id,
      orgA: s.A.user.organizationId!,
      assistantX: s.X.user.id,
      templateId: template.body.id,
      versionId: template.body.versionId,
      messageId: message.body.id,
      webhookId: webhook.body.id,
      deliveryId: delivery.body.id,
      notificationId: notice!,
      importTemplateId: importTemplateId,
      importId: upload.body.id,
      scheduleId: schedule.body.id,
      qualificationTaskId,
      attemptId: attempt.body.id,
      disputeId,
    };
  }

  async function call(method: string, route: Route, f: Fixture, who: Caller): Promise<Res> {
    const token = who === 'anon' ? undefined : s[who].token;
    return t.http.request(method, route.path(f), route.body?.(f), { token });
  }

  it('covers exactly the routes the OpenAPI document lists', async () => {
    const doc = await t.http.get('/api/docs-json');
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it.each(Object.keys(MATRIX))('%s', async (key) => {
    const [method, template] = key.split(' ') as [string, string];
    const route = MATRIX[key]!;
    const f = await fixture();
    for (const who of CALLERS) {
      const res = await call(method, route, f, who);
      figures.calls++;
      const want = route.want[who];
      const got = { route: template, who, status: res.status };
      if (want === 'ok') {
        expect(res.status).toBeLessThan(500);
        expect([401, 403, 404]).not.toContain(res.status);
      } else {
        expect(got).toEqual({ route: template, who, status: want });
      }
      if (res.status === 401) figures.refused401++;
      if (res.status === 403) figures.refused403++;
      if (res.status === 404) figures.refused404++;
      if (res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
        expect(Object.keys(res.body).sort()).toEqual(expect.arrayContaining(['error', 'message', 'statusCode']));
      }
      if (who === 'B' || who === 'Y') seenBy[who].push(`${key} → ${res.text}`);
    }
  });

  it('never shows B or Y an id, name or e-mail of A’s tenant: bodies, lists, errors or socket events', async () => {
    // Drive events A's tenant produces while B's and Y's sockets listen.
    const live = await submitTask(t.http, s.A, { title: `Live ${marker}` });
    secrets.add(live.id);
    await act(t.http, s.X, live.id, 'claim');
    await act(t.http, s.A, (await submitTask(t.http, s.A, { title: `Cancel ${marker}` })).id, 'cancel');
    await eventually(async () => sockets.A!.of('task.updated', live.id).length, (n) => n >= 1);
    // Whatever else went out has arrived: relayed, announced, and the sockets quiet.
    await settled(t, Object.values(sockets));

    // The control: A saw its own tenant's events, so the sockets were live.
    expect(sockets.A!.received.length).toBeGreaterThan(0);
    for (const who of ['B', 'Y'] as const) {
      const texts = [...seenBy[who], ...sockets[who]!.received.map((r) => `socket ${r.event} → ${JSON.stringify(r.payload)}`)];
      expect(texts.length).toBeGreaterThan(0);
      const leaks = texts.filter((text) => [...secrets].some((secret) => text.includes(secret)));
      expect({ who, leaks }).toEqual({ who, leaks: [] });
    }
    console.info(`authorization matrix: ${Object.keys(MATRIX).length} routes × ${CALLERS.length} callers = ${figures.calls} calls; refused 401: ${figures.refused401}, 403: ${figures.refused403}, 404: ${figures.refused404}; ${secrets.size} tenant markers checked in ${seenBy.B.length + seenBy.Y.length} bodies and ${(sockets.B?.received.length ?? 0) + (sockets.Y?.received.length ?? 0)} socket events`);
  });

  it('lets a client choose no room: socket events for another organization never arrive, whatever the client asks', async () => {
    const b = sockets.B!;
    // A socket.io client can emit anything; the server has no join handler, so this is inert.
    const raw = b.socket as unknown as { emit(event: string, ...args: unknown[]): void };
    raw.emit('join', `org:${s.A.user.organizationId}`);
    raw.emit('subscribe', { room: 'admins' });
    const before = b.received.length;
    const cancelled = await submitTask(t.http, s.A, { title: `After join ${marker}` });
    await act(t.http, s.A, cancelled.id, 'cancel');
    // A hears its cancel, in the same emit B would have heard it in, had it joined; then all is quiet.
    await eventually(async () => sockets.A!.of('task.updated', cancelled.id).map((r) => r.payload.task.status), (seen) => seen.includes('cancelled'));
    await settled(t, Object.values(sockets));
    expect(b.received.slice(before)).toEqual([]);
  });
});
