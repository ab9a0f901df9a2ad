import type { ErrorBody, Page, TaskView, TemplateProcess, TemplateRun, TemplateView } from '@handoff/contracts';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import type { Res } from './support/http.js';
import { act } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';
const ZONE = 'Pacific/Auckland';

/** The Monday of the ISO week holding `at`, in a time zone, as YYYY-MM-DD. */
function mondayIn(at: Date, timeZone: string): string {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at).split('-').map(Number) as [number, number, number];
  const local = new Date(Date.UTC(y, m - 1, d));
  local.setUTCDate(local.getUTCDate() - ((local.getUTCDay() + 6) % 7));
  return local.toISOString().slice(0, 10);
}

describe('a template’s process view', () => {
  let t: TestApp;
  let admin: Session;
  let a: Session;
  let b: Session;
  let x: Session;
  let tpl: TemplateView;
  let other: TemplateView;
  const tasks: Record<'firstPass' | 'revised' | 'late' | 'queued' | 'old', TaskView> = {} as never;

  const ok = <T>(res: Res<T>, status = 200): T => {
    expect({ status: res.status, body: res.status === status ? 'ok' : res.body }).toEqual({ status, body: 'ok' });
    return res.body;
  };
  const submit = async (s: Session, template: TemplateView, inputs: Record<string, unknown> = {}) =>
    ok(await t.http.post<TaskView>('/api/tasks', { templateId: template.id, inputs }, { token: s.token }), 201);
  const view = (s: Session, id = tpl.id) => t.http.get<TemplateProcess & Partial<ErrorBody>>(`/api/templates/${id}/process`, { token: s.token });
  const runs = (s: Session, query = '', id = tpl.id) => t.http.get<Page<TemplateRun> & Partial<ErrorBody>>(`/api/templates/${id}/runs${query}`, { token: s.token });

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    x = await registerAssistant(t.http, ['data_entry']);
    await t.db.query(`UPDATE users SET max_concurrent_tasks = 100 WHERE id = $1`, [x.user.id]);
    ok(await t.http.patch(`/api/organizations/${a.user.organizationId}/settings`, { timeZone: ZONE }, { token: a.token }));
    const body = {
      category: 'data_entry',
      instructions: 'Enter every invoice.',
      checklist: [{ title: 'Check the totals', required: false }],
      deadlineRule: { kind: 'calendar_hours', hours: 10 },
    };
    tpl = ok(await t.http.post<TemplateView>('/api/templates', { ...body, name: 'Invoice entry' }, { token: a.token }), 201);
    other = ok(await t.http.post<TemplateView>('/api/templates', { ...body, name: 'Receipts' }, { token: a.token }), 201);

    // Accepted as first returned, on time.
    tasks.firstPass = await submit(a, tpl);
    ok(await act(t.http, x, tasks.firstPass.id, 'claim'));
    ok(await act(t.http, x, tasks.firstPass.id, 'start'));
    ok(await act(t.http, x, tasks.firstPass.id, 'return', { result: 'Done.' }));
    ok(await act(t.http, a, tasks.firstPass.id, 'accept'));
    // A new version of the template: its tasks are the same process.
    ok(await t.http.patch(`/api/templates/${tpl.id}`, { name: 'Invoice entry, v2' }, { token: a.token }));
    // Returned on time, sent back once, accepted; then partly refunded.
    tasks.revised = await submit(a, tpl);
    expect(tasks.revised.templateVersion).toBe(2);
    ok(await act(t.http, x, tasks.revised.id, 'claim'));
    ok(await act(t.http, x, tasks.revised.id, 'start'));
    ok(await act(t.http, x, tasks.revised.id, 'return', { result: 'Done.' }));
    ok(await act(t.http, a, tasks.revised.id, 'revise', { feedback: 'Two invoices are missing.' }));
    ok(await act(t.http, x, tasks.revised.id, 'return', { result: 'Done, all of them.' }));
    ok(await act(t.http, a, tasks.revised.id, 'accept'));
    ok(await t.http.post('/api/billing/adjustments', { taskId: tasks.revised.id, kind: 'refund', amountCents: 125, reason: 'Late second pass' }, { token: admin.token }), 201);
    // Returned after its deadline: late, and never charged.
    tasks.late = await submit(a, tpl);
    ok(await act(t.http, x, tasks.late.id, 'claim'));
    ok(await act(t.http, x, tasks.late.id, 'start'));
    await t.db.query(`UPDATE tasks SET deadline = now() - interval '1 minute' WHERE id = $1`, [tasks.late.id]);
    ok(await act(t.http, x, tasks.late.id, 'return', { result: 'Done, late.' }));
    tasks.queued = await submit(a, tpl);
    // Submitted long ago: counted over all time only, and before the chart's twelve weeks.
    tasks.old = await submit(a, tpl);
    await t.db.query(`UPDATE tasks SET created_at = now() - interval '100 days' WHERE id = $1`, [tasks.old.id]);
    // Not this template's.
    await submit(a, other);
  });
  afterAll(() => t?.close());

  it('lists the template’s tasks across its versions, newest first, a page at a time', async () => {
    const first = ok(await runs(a, '?limit=2'));
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = ok(await runs(a, `?limit=200&cursor=${first.nextCursor}`));
    const all = [...first.items, ...rest.items];
    expect(rest.nextCursor).toBeNull();
    expect(all.map((r) => r.id)).toEqual([tasks.queued, tasks.late, tasks.revised, tasks.firstPass, tasks.old].map((r) => r.id));
    const byId = new Map(all.map((r) => [r.id, r]));
    expect(byId.get(tasks.late.id)).toMatchObject({ status: 'returned', onTime: false, returnedAt: expect.any(String), acceptedAt: null });
    expect(byId.get(tasks.revised.id)).toMatchObject({ status: 'accepted', onTime: true, templateVersion: 2, priceCents: tasks.revised.priceCents, currency: 'USD' });
    expect(byId.get(tasks.queued.id)).toMatchObject({ status: 'queued', onTime: null, returnedAt: null, templateVersion: 2 });
    expect(byId.get(tasks.firstPass.id)).toMatchObject({ templateVersion: 1, submittedAt: tasks.firstPass.createdAt });
  });

  it('counts, rates and turnaround over 30 days and all time', async () => {
    const list = ok(await runs(a, '?limit=200')).items;
    const returned = list.filter((r) => r.returnedAt);
    const seconds = (rows: TemplateRun[], end: 'returnedAt' | 'acceptedAt') =>
      rows.reduce((sum, r) => sum + (Date.parse(r[end]!) - Date.parse(r.submittedAt)) / 1000, 0) / rows.length;
    const p = ok(await view(a));
    const common = {
      returned: 3,
      returnedOnTime: 2,
      onTimeRate: 2 / 3,
      accepted: 2,
      acceptedFirstPass: 1,
      firstPassRate: 0.5,
    };
    expect(p.stats.allTime).toMatchObject({ tasks: 5, ...common });
    expect(p.stats.last30Days).toMatchObject({ tasks: 4, ...common });
    expect(p.stats.allTime.avgSecondsToReturn).toBeCloseTo(seconds(returned, 'returnedAt'), 1);
    expect(p.stats.allTime.avgSecondsToAccept).toBeCloseTo(seconds(list.filter((r) => r.acceptedAt), 'acceptedAt'), 1);
  });

  it('sums this month’s charges less refunds, in the organization’s zone, and charts twelve weeks', async () => {
    const p = ok(await view(a));
    const charged = tasks.firstPass.priceCents + tasks.revised.priceCents;
    expect(p.timeZone).toBe(ZONE);
    expect(p.month).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit' }).format(new Date(p.asOf)).slice(0, 7));
    expect(p.spendThisMonth).toEqual([{ currency: 'USD', chargedCents: charged, refundedCents: 125, adjustedCents: 0, netCents: charged - 125 }]);

    expect(p.weeks).toHaveLength(12);
    expect(p.weeks.at(-1)!.week).toBe(mondayIn(new Date(p.asOf), ZONE));
    const weekMs = 7 * 86_400_000;
    p.weeks.slice(1).forEach((w, i) => expect(Date.parse(w.week) - Date.parse(p.weeks[i]!.week)).toBe(weekMs));
    const sum = (f: (w: TemplateProcess['weeks'][number]) => number) => p.weeks.reduce((s, w) => s + f(w), 0);
    // The old task's week is before the chart; the revised task counts its first return only.
    expect(sum((w) => w.submitted)).toBe(4);
    expect(sum((w) => w.returnedOnTime)).toBe(2);
    expect(sum((w) => w.returnedLate)).toBe(1);
    expect(sum((w) => w.spend.reduce((s, x) => s + x.netCents, 0))).toBe(charged - 125);
  });

  it('shows an admin the organization’s figures; another template’s are its own', async () => {
    const mine = ok(await view(a));
    const theirs = ok(await view(admin));
    expect({ ...theirs, asOf: null }).toEqual({ ...mine, asOf: null });
    const receipts = ok(await view(a, other.id));
    expect(receipts.stats.allTime).toMatchObject({ tasks: 1, returned: 0, onTimeRate: null, firstPassRate: null, avgSecondsToReturn: null });
    expect(receipts.spendThisMonth).toEqual([]);
  });

  it('counts a client’s own tasks of a starter, not other organizations’', async () => {
    const starter = ok(await t.http.get<Page<TemplateView>>('/api/templates?scope=starter&category=data_entry&limit=1', { token: a.token })).items[0]!;
    const inputs = { invoice_number: 'INV-7', supplier: 'Acme' };
    await submit(a, starter, inputs);
    await submit(b, starter, inputs);
    await submit(b, starter, inputs);
    expect(ok(await view(a, starter.id)).stats.allTime.tasks).toBe(1);
    expect(ok(await view(b, starter.id)).stats.allTime.tasks).toBe(2);
    expect(ok(await runs(b, '', starter.id)).items).toHaveLength(2);
    expect(ok(await view(admin, starter.id)).stats.allTime.tasks).toBe(3);
  });

  it('answers another organization 404, an assistant 403, bad input 400', async () => {
    expect((await view(b)).status).toBe(404);
    expect((await runs(b)).status).toBe(404);
    expect((await view(a, NO_ID)).status).toBe(404);
    expect((await view(x)).status).toBe(403);
    expect((await runs(x)).status).toBe(403);
    const badId = await view(a, 'not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.message).toMatch(/id/);
    for (const q of ['?limit=0', '?limit=abc', '?cursor=%00', '?colour=blue']) {
      const res = await runs(a, q);
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
    }
  });
});
