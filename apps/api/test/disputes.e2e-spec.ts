import { jobId, type DisputeView, type ErrorBody, type TaskView } from '@handoff/contracts';
import type { Queue } from 'bullmq';
import { JobsService } from '../src/dispatch/jobs.service.js';
import type { AnyDomainEvent } from '../src/events/domain-events.js';
import { EventBus } from '../src/events/event-bus.js';
import { OutboxRelay } from '../src/events/outbox.relay.js';
import { TasksRepository } from '../src/tasks/tasks.repository.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { chargedTask, checkActiveCounts, checkLedgerInvariants, taskBill } from './support/ledger.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FEE_BPS = 2000;

/** A dispute on success, the error body otherwise: tests look at whichever the status says. */
type DisputeOrError = DisputeView & Partial<Omit<ErrorBody, 'status'>>;

describe('disputes: opened in the review window, answered, resolved by an admin', () => {
  let t: TestApp;
  let admin: Session;
  let client: Session;
  let other: Session;
  let x: Session;
  let y: Session;
  let timers: Queue;
  const heard: AnyDomainEvent[] = [];

  beforeAll(async () => {
    // Minutes-long windows, inside the horizon: the auto-accept job is queued at the return, and a test runs it at once.
    t = await startTestApp({ REVIEW_WINDOW: '5m' });
    t.app.get(EventBus).subscribe({ name: 'test-recorder', events: ['dispute.opened', 'dispute.answered', 'dispute.resolved', 'task.transitioned'], handle: async (b) => void heard.push(...b.events) });
    admin = await loginAdmin(t.http, t.config);
    client = await registerClient(t.http);
    other = await registerClient(t.http);
    x = await registerAssistant(t.http, ['data_entry']);
    y = await registerAssistant(t.http, ['data_entry']);
    for (const a of [x, y]) await t.db.query(`UPDATE users SET max_concurrent_tasks = 50 WHERE id = $1`, [a.user.id]);
    timers = t.app.get(JobsService).queue('timers');
  });
  afterAll(async () => {
    await checkLedgerInvariants(t, FEE_BPS);
    await checkActiveCounts(t);
    await t.close();
  });

  const get = (id: string, s: Session = client) => t.http.get<TaskView>(`/api/tasks/${id}`, { token: s.token }).then((r) => r.body);
  const open = (taskId: string, s: Session = client, body: unknown = { reason: 'The totals do not match the invoices.' }) => t.http.post<DisputeOrError>(`/api/tasks/${taskId}/dispute`, body, { token: s.token });
  const resolve = (id: string, body: unknown, s: Session = admin) => t.http.post<DisputeOrError>(`/api/disputes/${id}/resolve`, body, { token: s.token });
  const disputed = async (priceCents?: number) => {
    const task = await chargedTask(t, client, x, priceCents);
    const res = await open(task.id);
    expect(res.status).toBe(201);
    return { task, dispute: res.body };
  };
  const entries = async (taskId: string) =>
    (await t.db.query<{ kind: string; amount_cents: number; assistant_id: string; reason: string | null; id: string }>(`SELECT id, kind, amount_cents, assistant_id, reason FROM ledger_entries WHERE task_id = $1 ORDER BY created_at, kind, id`, [taskId])).rows;
  const audits = async (disputeId: string) => (await t.db.query(`SELECT action, actor_id, details FROM audit_log WHERE target_type = 'dispute' AND target_id = $1`, [disputeId])).rows;

  it('opens only on returned work of the caller’s organization, once, and records it in the task’s history', async () => {
    const task = await chargedTask(t, client, x);
    // Wrong organization, wrong role, bad input: refused before anything changes.
    expect((await open(task.id, other)).status).toBe(404);
    expect((await open(task.id, x)).status).toBe(403);
    expect((await open(task.id, admin)).status).toBe(403);
    const empty = await open(task.id, client, {});
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ message: 'reason is required' });
    expect((await open(task.id, client, { reason: '   ' })).body.message).toBe('reason must not be empty');
    expect((await open(task.id, client, { reason: 'x'.repeat(1001) })).body.message).toBe('reason must be at most 1000 characters');
    expect((await open('not-a-uuid', client)).status).toBe(400);
    expect((await get(task.id)).status).toBe('returned');

    const res = await open(task.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ taskId: task.id, taskTitle: task.title, organizationId: client.user.organizationId, assigneeId: x.user.id, openedBy: client.user.id, status: 'open', outcome: null, answer: null });
    const now = await get(task.id);
    expect(now).toMatchObject({ status: 'disputed', assigneeId: x.user.id });
    expect(now.events!.at(-1)).toMatchObject({ action: 'dispute', fromStatus: 'returned', toStatus: 'disputed', actorId: client.user.id, note: 'The totals do not match the invoices.' });
    // A second dispute, and accepting or revising a disputed task, are conflicts.
    const again = await open(task.id);
    expect(again.status).toBe(409);
    expect(again.body.status).toBe('disputed');
    expect((await act(t.http, client, task.id, 'accept')).status).toBe(409);
    expect((await act(t.http, client, task.id, 'revise', { feedback: 'again' })).status).toBe(409);
    // Before the return, there is nothing to dispute.
    const working = await submitTask(t.http, client);
    await act(t.http, x, working.id, 'claim');
    const early = await open(working.id);
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/cannot dispute a task that is claimed/);
    // The client, the assistant disputed and admins read it; the other organization and assistant do not.
    for (const s of [client, x, admin]) expect((await t.http.get(`/api/disputes/${res.body.id}`, { token: s.token })).status).toBe(200);
    for (const s of [other, y]) expect((await t.http.get(`/api/disputes/${res.body.id}`, { token: s.token })).status).toBe(404);
    expect((await t.http.get(`/api/tasks/${task.id}/disputes`, { token: client.token })).body).toEqual([res.body]);
    expect((await t.http.get(`/api/tasks/${task.id}/disputes`, { token: other.token })).status).toBe(404);
  });

  it('two opens at once: exactly one dispute, the other 409', async () => {
    const task = await chargedTask(t, client, x);
    const answers = await Promise.all([open(task.id), open(task.id), open(task.id)]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM disputes WHERE task_id = $1`, [task.id])).rows[0].n).toBe(1);
  });

  it('stops the review timer: the auto-accept job finds the task disputed and the sweep no longer sees it', async () => {
    const task = await chargedTask(t, client, x);
    const job = await eventually(() => timers.getJob(jobId.autoAccept(task.id, task.version)), (j) => j !== undefined);
    expect((await open(task.id)).status).toBe(201);
    await job!.promote();
    await eventually(async () => (await timers.getJob(jobId.autoAccept(task.id, task.version)))?.getState(), (s) => s === 'completed' || s === undefined || s === 'unknown');
    expect((await get(task.id)).status).toBe('disputed');
    const due = await t.app.get(TasksRepository).dueTimers(new Date(Date.now() + 86_400_000), { claimWindowMs: 60_000, reviewWindowMs: 60_000, reviewReminderLeadMs: 30_000 });
    expect(due.filter((d) => d.id === task.id && (d.kind === 'auto-accept' || d.kind === 'review-reminder'))).toEqual([]);
  });

  it('the assistant disputed answers once; nobody else may', async () => {
    const { task, dispute } = await disputed();
    const answer = (s: Session, body: unknown = { answer: 'The invoices were scanned twice; I flagged the duplicates.' }) => t.http.post<DisputeOrError>(`/api/disputes/${dispute.id}/answer`, body, { token: s.token });
    expect((await answer(y)).status).toBe(404);
    expect((await answer(client)).status).toBe(403);
    expect((await answer(admin)).status).toBe(403);
    const bad = await answer(x, { answer: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('answer must not be empty');
    const res = await answer(x);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ answer: 'The invoices were scanned twice; I flagged the duplicates.', answeredAt: expect.any(String), status: 'open' });
    expect((await answer(x)).status).toBe(409);
    expect((await get(task.id)).events!.at(-1)).toMatchObject({ action: 'dispute_answer', fromStatus: 'disputed', toStatus: 'disputed', actorId: x.user.id });
  });

  it('rework: back to the same assistant in progress with the admin’s note; no money moves, and the next return bills nothing again', async () => {
    const { task, dispute } = await disputed();
    const before = await entries(task.id);
    const res = await resolve(dispute.id, { outcome: 'rework', note: 'Remove the duplicates and return it again.' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'resolved', outcome: 'rework', amountCents: null, ledgerEntryId: null, resolvedBy: admin.user.id, note: 'Remove the duplicates and return it again.' });
    const now = await get(task.id);
    expect(now).toMatchObject({ status: 'in_progress', assigneeId: x.user.id, feedback: 'Remove the duplicates and return it again.' });
    expect(now.events!.at(-1)).toMatchObject({ action: 'resolve_rework', fromStatus: 'disputed', toStatus: 'in_progress', actorId: admin.user.id });
    expect(await audits(dispute.id)).toEqual([{ action: 'dispute.resolve', actor_id: admin.user.id, details: expect.objectContaining({ taskId: task.id, outcome: 'rework' }) }]);
    const back = await act(t.http, x, task.id, 'return', { result: 'done, without duplicates' });
    expect(back.status).toBe(200);
    expect(await entries(task.id)).toEqual(before);
    expect((await resolve(dispute.id, { outcome: 'rework', note: 'again' })).status).toBe(409);
  });

  it('refund: partial, then on another task full; the task is closed, the ledger holds the refund with the dispute as its reason', async () => {
    const { task, dispute } = await disputed(1000);
    // More than the bill: refused, and nothing changed (the move rolled back with it).
    const over = await resolve(dispute.id, { outcome: 'refund', amountCents: 1001, note: 'too much' });
    expect(over.status).toBe(422);
    expect((await get(task.id)).status).toBe('disputed');
    expect((await t.http.get<DisputeView>(`/api/disputes/${dispute.id}`, { token: admin.token })).body.status).toBe('open');

    const res = await resolve(dispute.id, { outcome: 'refund', amountCents: 300, note: 'Three invoices were wrong.' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'refund', amountCents: 300, ledgerEntryId: expect.any(String) });
    expect(await get(task.id)).toMatchObject({ status: 'accepted', acceptedAt: expect.any(String) });
    const refund = (await entries(task.id)).find((e) => e.kind === 'refund')!;
    expect(refund).toMatchObject({ id: res.body.ledgerEntryId, amount_cents: 300, reason: `dispute ${dispute.id}: Three invoices were wrong.` });
    expect(await taskBill(t, task.id)).toMatchObject({ charged: 1000, refunded: 300, net: 700 });
    expect(await audits(dispute.id)).toEqual([expect.objectContaining({ action: 'dispute.resolve', details: expect.objectContaining({ outcome: 'refund', amountCents: 300, ledgerEntryId: refund.id }) })]);
    // The refund is in the admins' trail too, as billing's correction.
    const trail = await t.http.get(`/api/admin/audit?action=billing.refund`, { token: admin.token });
    expect(trail.body.items.map((r: { targetId: string }) => r.targetId)).toContain(task.id);
    const decisions = await t.http.get(`/api/admin/audit?action=dispute.resolve`, { token: admin.token });
    expect(decisions.body.items.map((r: { targetId: string }) => r.targetId)).toContain(dispute.id);

    const full = await disputed(1000);
    const all = await resolve(full.dispute.id, { outcome: 'refund', amountCents: 1000, note: 'Nothing usable.' });
    expect(all.status).toBe(200);
    expect(await taskBill(t, full.task.id)).toMatchObject({ charged: 1000, refunded: 1000, net: 0 });
  });

  it('refund of work returned late, so never charged: 422, and the dispute stays open for another outcome', async () => {
    const task = await submitTask(t.http, client);
    await act(t.http, x, task.id, 'claim');
    await act(t.http, x, task.id, 'start');
    await t.db.query(`UPDATE tasks SET deadline = now() - interval '1 minute' WHERE id = $1`, [task.id]);
    expect((await act(t.http, x, task.id, 'return', { result: 'late' })).body.onTime).toBe(false);
    const dispute = (await open(task.id)).body;
    const res = await resolve(dispute.id, { outcome: 'refund', amountCents: 1, note: 'n' });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/never charged/);
    expect((await get(task.id)).status).toBe('disputed');
    expect((await resolve(dispute.id, { outcome: 'rework', note: 'Finish it.' })).status).toBe(200);
    expect(await entries(task.id)).toEqual([]);
  });

  it('reassign: back to the queue for another assistant; the one charge and one payout stand', async () => {
    const { task, dispute } = await disputed();
    const before = await entries(task.id);
    expect(before.map((e) => [e.kind, e.assistant_id])).toEqual([
      ['charge', x.user.id],
      ['payout', x.user.id],
    ]);
    const res = await resolve(dispute.id, { outcome: 'reassign', note: 'Someone else, please.' });
    expect(res.status).toBe(200);
    expect(await get(task.id)).toMatchObject({ status: 'queued', assigneeId: null });
    // The disputed assistant still reads the dispute of the work they returned.
    expect((await t.http.get(`/api/tasks/${task.id}/disputes`, { token: x.token })).status).toBe(200);
    for (const step of ['claim', 'start'] as const) expect((await act(t.http, y, task.id, step)).status).toBe(200);
    const back = await act(t.http, y, task.id, 'return', { result: 'redone' });
    expect(back.status).toBe(200);
    expect(await entries(task.id)).toEqual(before);
    expect((await act(t.http, client, task.id, 'accept')).status).toBe(200);
  });

  it('two admins resolving at once: exactly one wins, one refund', async () => {
    const second = await loginAdmin(t.http, t.config);
    const { task, dispute } = await disputed(1000);
    const answers = await Promise.all([
      resolve(dispute.id, { outcome: 'refund', amountCents: 400, note: 'first' }),
      resolve(dispute.id, { outcome: 'refund', amountCents: 400, note: 'second' }, second),
      resolve(dispute.id, { outcome: 'refund', amountCents: 400, note: 'third' }),
      resolve(dispute.id, { outcome: 'reassign', note: 'fourth' }, second),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const won = answers.find((r) => r.status === 200)!.body;
    const bill = await taskBill(t, task.id);
    expect(bill.corrections).toBe(won.outcome === 'refund' ? 1 : 0);
    expect(bill.net).toBe(won.outcome === 'refund' ? 600 : 1000);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM task_events WHERE task_id = $1 AND action LIKE 'resolve_%'`, [task.id])).rows[0].n).toBe(1);
  });

  it('resolve: only admins, and bad input is 400 naming the field', async () => {
    const { dispute } = await disputed();
    expect((await resolve(dispute.id, { outcome: 'rework', note: 'n' }, client)).status).toBe(403);
    expect((await resolve(dispute.id, { outcome: 'rework', note: 'n' }, x)).status).toBe(403);
    const cases: [unknown, RegExp][] = [
      [{ outcome: 'refund', note: 'n' }, /^amountCents is required for a refund$/],
      [{ outcome: 'rework', amountCents: 5, note: 'n' }, /^amountCents is only for a refund$/],
      [{ outcome: 'refund', amountCents: -5, note: 'n' }, /^amountCents must be positive$/],
      [{ outcome: 'refund', amountCents: 1.5, note: 'n' }, /^amountCents must be an integer number of cents$/],
      [{ outcome: 'refund', amountCents: 2 ** 60, note: 'n' }, /^amountCents is too large$/],
      [{ outcome: 'forgive', note: 'n' }, /^outcome must be one of rework, refund, reassign$/],
      [{ outcome: 'rework' }, /^note is required$/],
      [{ outcome: 'rework', note: 'n', status: 'resolved' }, /^status is not allowed$/],
    ];
    for (const [body, message] of cases) {
      const res = await resolve(dispute.id, body);
      expect({ body, status: res.status, message: res.body.message }).toEqual({ body, status: 400, message: expect.stringMatching(message) });
    }
    expect((await resolve('00000000-0000-4000-8000-000000000000', { outcome: 'rework', note: 'n' })).status).toBe(404);
    expect((await t.http.get<DisputeView>(`/api/disputes/${dispute.id}`, { token: admin.token })).body.status).toBe('open');
  });

  it('lists open disputes oldest first for admins, resolved ones on request, paged', async () => {
    const { dispute } = await disputed();
    expect((await t.http.get('/api/disputes', { token: client.token })).status).toBe(403);
    const openOnes: DisputeView[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: DisputeView[]; nextCursor: string | null } } = await t.http.get(`/api/disputes?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.token });
      openOnes.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(openOnes.every((d) => d.status === 'open')).toBe(true);
    expect(openOnes.at(-1)!.id).toBe(dispute.id);
    expect(openOnes.map((d) => d.createdAt)).toEqual([...openOnes.map((d) => d.createdAt)].sort());
    const resolved = await t.http.get('/api/disputes?status=resolved', { token: admin.token });
    expect(resolved.body.items.length).toBeGreaterThan(0);
    expect(resolved.body.items.every((d: DisputeView) => d.status === 'resolved')).toBe(true);
    expect((await t.http.get('/api/disputes?status=closed', { token: admin.token })).body.message).toBe('status must be one of open, resolved');
  });

  it('publishes opened, answered and resolved on commit, beside the task’s moves', async () => {
    const { task, dispute } = await disputed();
    await t.http.post(`/api/disputes/${dispute.id}/answer`, { answer: 'It matches.' }, { token: x.token });
    await resolve(dispute.id, { outcome: 'rework', note: 'n' });
    await t.app.get(OutboxRelay).flush();
    const mine = heard.filter((e) => 'taskId' in e.payload && e.payload.taskId === task.id);
    expect(mine.filter((e) => e.name.startsWith('dispute.')).map((e) => [e.name, e.payload])).toEqual([
      ['dispute.opened', { disputeId: dispute.id, taskId: task.id }],
      ['dispute.answered', { disputeId: dispute.id, taskId: task.id }],
      ['dispute.resolved', { disputeId: dispute.id, taskId: task.id, outcome: 'rework' }],
    ]);
    const moves = mine.filter((e) => e.name === 'task.transitioned').map((e) => (e.name === 'task.transitioned' ? e.payload.action : ''));
    expect(moves.slice(-2)).toEqual(['dispute', 'resolve_rework']);
  });
});
