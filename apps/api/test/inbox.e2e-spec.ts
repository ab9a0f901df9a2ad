import type { NotificationPage, NotificationSettingsView, NotificationView } from '@handoff/contracts';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { settled } from './support/settle.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { startTestSmtp, type TestSmtp } from './support/test-smtp.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';
const PUBLIC_URL = 'http://handoff.test';

describe('the inbox: notices for each step, channels per kind, live unread counts', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let admin: Session;
  let a: Session; // the client whose tasks these are
  let b: Session; // another organization's client
  let x: Session; // the assistant who works them

  const inbox = (s: Session, q = '') => t.http.get<NotificationPage & { message?: string }>(`/api/notifications${q}`, { token: s.token });
  const kindsOf = async (s: Session, taskId: string) =>
    (await inbox(s, '?limit=100')).body.items
      .filter((n) => n.taskId === taskId)
      .map((n) => n.kind)
      .reverse();
  const setChannels = (s: Session, channels: Record<string, string>) => t.http.put<NotificationSettingsView & { message?: string }>('/api/me/notification-settings', { channels }, { token: s.token });

  beforeAll(async () => {
    smtp = await startTestSmtp();
    t = await startTestApp({ SMTP_URL: smtp.url, PUBLIC_URL });
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http, { name: 'Ada Client' });
    b = await registerClient(t.http);
    x = await registerAssistant(t.http, ['bookkeeping'], { name: 'Xena Assistant' });
    await t.db.query(`UPDATE users SET max_concurrent_tasks = 50 WHERE id = $1`, [x.user.id]);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('tells the client of the claim and the return (with the auto-accept time), and the assistant of the revision and the acceptance', async () => {
    const task = await submitTask(t.http, a, { category: 'bookkeeping' });
    await act(t.http, x, task.id, 'claim');
    await act(t.http, x, task.id, 'start');
    await act(t.http, x, task.id, 'return', { result: 'Done.' });
    await act(t.http, a, task.id, 'revise', { feedback: 'The March line is missing.' });
    await act(t.http, x, task.id, 'return', { result: 'Added.' });
    await act(t.http, a, task.id, 'accept');
    await settled(t, []);
    expect(await kindsOf(a, task.id)).toEqual(['task_claimed', 'task_returned', 'task_returned']);
    expect(await kindsOf(x, task.id)).toEqual(['revision_requested', 'task_accepted']);
    const [returned] = (await inbox(a)).body.items.filter((n) => n.taskId === task.id && n.kind === 'task_returned');
    expect(returned).toMatchObject({ title: `“${task.title}” is back for your review`, link: `/client/tasks/${task.id}`, readAt: null });
    expect(returned!.body).toMatch(/accepted automatically/);
    const revision = (await inbox(x)).body.items.find((n) => n.taskId === task.id && n.kind === 'revision_requested');
    expect(revision).toMatchObject({ body: 'The March line is missing.', link: `/assistant/tasks/${task.id}` });
    // Nobody else heard of it.
    expect(await kindsOf(b, task.id)).toEqual([]);
  });

  it('tells the other party of a message, and someone mentioned of the mention instead', async () => {
    const task = await submitTask(t.http, a, { category: 'bookkeeping' });
    await act(t.http, x, task.id, 'claim');
    await settled(t, []);
    expect((await t.http.post(`/api/tasks/${task.id}/messages`, { body: 'Which ledger, the 2026 one?' }, { token: x.token })).status).toBe(201);
    expect((await t.http.post(`/api/tasks/${task.id}/messages`, { body: '@Xena Assistant yes, the 2026 one.' }, { token: a.token })).status).toBe(201);
    await settled(t, []);
    expect(await kindsOf(a, task.id)).toEqual(['task_claimed', 'message']);
    expect(await kindsOf(x, task.id)).toEqual(['mention']);
    const mention = (await inbox(x)).body.items.find((n) => n.taskId === task.id && n.kind === 'mention');
    expect(mention).toMatchObject({ title: `Ada Client mentioned you on “${task.title}”`, body: '@Xena Assistant yes, the 2026 one.' });
  });

  it('tells the client of a refund, with the amount and the reason', async () => {
    const task = await submitTask(t.http, a, { category: 'bookkeeping' });
    await act(t.http, x, task.id, 'claim');
    await act(t.http, x, task.id, 'start');
    await act(t.http, x, task.id, 'return', { result: 'Done.' });
    await act(t.http, a, task.id, 'accept');
    expect((await t.http.post('/api/billing/adjustments', { taskId: task.id, kind: 'refund', amountCents: 250, reason: 'Two lines were wrong' }, { token: admin.token })).status).toBe(201);
    await settled(t, []);
    const refund = (await inbox(a)).body.items.find((n) => n.taskId === task.id && n.kind === 'refund_posted');
    expect(refund).toMatchObject({ title: `Refund on “${task.title}”`, body: '$2.50 was credited to your organization: Two lines were wrong' });
  });

  it('counts unread live, marks one or all read, and refuses another user’s entry with 404', async () => {
    const socket = await LiveClient.connect(t.url, a.token);
    try {
      await act(t.http, a, (await submitTask(t.http, a, { category: 'bookkeeping' })).id, 'cancel');
      const task = await submitTask(t.http, a, { category: 'bookkeeping' });
      await act(t.http, x, task.id, 'claim');
      await settled(t, []);
      const created = await eventually(
        async () => socket.of('notification.created').map((r) => r.payload as { notification: NotificationView; unread: number }),
        (l) => l.some((p) => p.notification.taskId === task.id),
      );
      const before = (await t.http.get<{ unread: number }>('/api/notifications/unread-count', { token: a.token })).body.unread;
      expect(created.find((p) => p.notification.taskId === task.id)!.unread).toBe(before);
      const entry = created.find((p) => p.notification.taskId === task.id)!.notification;

      expect((await t.http.post(`/api/notifications/${entry.id}/read`, {}, { token: b.token })).status).toBe(404);
      expect((await t.http.post(`/api/notifications/${NO_ID}/read`, {}, { token: a.token })).status).toBe(404);
      const read = await t.http.post<{ unread: number }>(`/api/notifications/${entry.id}/read`, {}, { token: a.token });
      expect(read.body).toEqual({ unread: before - 1 });
      // Again is fine, and changes nothing.
      expect((await t.http.post<{ unread: number }>(`/api/notifications/${entry.id}/read`, {}, { token: a.token })).body).toEqual({ unread: before - 1 });
      await eventually(async () => socket.of('notification.read').map((r) => r.payload.unread as number), (l) => l.includes(before - 1));
      expect((await inbox(a, '?unread=true&limit=100')).body.items.map((n) => n.id)).not.toContain(entry.id);

      const all = await t.http.post<{ updated: number; unread: number }>('/api/notifications/read-all', {}, { token: a.token });
      expect(all.body).toEqual({ updated: before - 1, unread: 0 });
      expect((await inbox(a, '?unread=true')).body).toMatchObject({ items: [], unread: 0 });
    } finally {
      socket.close();
    }
  });

  it('pages newest first by cursor without repeating an entry', async () => {
    const c = await registerClient(t.http);
    for (let i = 0; i < 3; i++) await act(t.http, x, (await submitTask(t.http, c, { category: 'bookkeeping' })).id, 'claim');
    await settled(t, []);
    const first = await inbox(c, '?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await inbox(c, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ nextCursor: null });
    const ids = [...first.body.items, ...second.body.items].map((n) => n.id);
    expect(new Set(ids).size).toBe(3);
    const times = [...first.body.items, ...second.body.items].map((n) => Date.parse(n.createdAt));
    expect([...times].sort((p, q) => q - p)).toEqual(times);
  });

  it('keeps each user’s channel per kind: off files nothing, e-mail files and mails', async () => {
    const c = await registerClient(t.http, { name: 'Cleo Client' });
    await t.db.query(`UPDATE users SET email_verified_at = now() WHERE id = $1`, [c.user.id]);
    const defaults = await t.http.get<NotificationSettingsView>('/api/me/notification-settings', { token: c.token });
    expect(defaults.body.channels).toMatchObject({ task_claimed: 'app', task_available: 'off', message: 'app' });
    const set = await setChannels(c, { task_claimed: 'off', task_returned: 'email' });
    expect(set.status).toBe(200);
    expect(set.body.channels).toMatchObject({ task_claimed: 'off', task_returned: 'email', message: 'app' });

    const task = await submitTask(t.http, c, { category: 'bookkeeping' });
    await act(t.http, x, task.id, 'claim');
    await act(t.http, x, task.id, 'start');
    await act(t.http, x, task.id, 'return', { result: 'Done.' });
    await settled(t, []);
    expect(await kindsOf(c, task.id)).toEqual(['task_returned']);
    const [mail] = await eventually(async () => smtp.messages.filter((m) => m.envelope.to.includes(c.user.email) && m.parsed.headerLines.some((h) => h.line === 'X-Handoff-Template: notification')), (l) => l.length === 1);
    expect(mail!.parsed.subject).toBe(`“${task.title}” is back for your review`);
    expect(mail!.parsed.text).toContain(`${PUBLIC_URL}/client/tasks/${task.id}`);
  });

  it('tells assistants who opted in of new work in their skills, and no one else', async () => {
    const keen = await registerAssistant(t.http, ['payroll']);
    const other = await registerAssistant(t.http, ['payroll']);
    const unskilled = await registerAssistant(t.http, ['research']);
    await setChannels(keen, { task_available: 'app' });
    await setChannels(unskilled, { task_available: 'app' });
    const task = await submitTask(t.http, a, { category: 'payroll' });
    await settled(t, []);
    expect(await kindsOf(keen, task.id)).toEqual(['task_available']);
    expect(await kindsOf(other, task.id)).toEqual([]);
    expect(await kindsOf(unskilled, task.id)).toEqual([]);
  });

  it('answers 400 naming the field for bad input, and 401 without a token', async () => {
    const cases: [Promise<{ status: number; body: { message?: string } }>, RegExp][] = [
      [inbox(a, '?unread=maybe'), /unread/],
      [inbox(a, '?limit=0'), /limit/],
      [inbox(a, '?cursor=nope'), /cursor/],
      [inbox(a, '?colour=blue'), /colour/],
      [t.http.post('/api/notifications/not-a-uuid/read', {}, { token: a.token }), /id/],
      [setChannels(a, { task_claimed: 'pigeon' }), /task_claimed/],
      [setChannels(a, { not_a_kind: 'app' }), /not_a_kind|channels/],
      [t.http.put('/api/me/notification-settings', { channels: 'all' }, { token: a.token }), /channels/],
    ];
    for (const [res, field] of cases) {
      const r = await res;
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(field);
    }
    expect((await t.http.get('/api/notifications')).status).toBe(401);
    expect((await t.http.get('/api/me/notification-settings')).status).toBe(401);
  });
});
