import type { BudgetRefusal, OrganizationSettingsView, QuoteResponse, TaskView, TemplatePreview, TemplateView } from '@handoff/contracts';
import { addMember, loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { chargedTask } from './support/ledger.js';
import { settled } from './support/settle.js';
import { LiveClient } from './support/sockets.js';
import { act, submitTask, taskBody } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';

describe('budgets: a monthly limit on committed spend', () => {
  let t: TestApp;
  let t2: TestApp;
  let admin: Session;
  let assistant: Session;
  let price: number;
  const settings = (s: Session) => `/api/organizations/${s.user.organizationId}/settings`;
  const setBudget = (s: Session, cents: number | null, as: Session = s) => t.http.patch<OrganizationSettingsView>(settings(s), { monthlyBudgetCents: cents }, { token: as.token });
  const quote = async (s: Session) => (await t.http.post<QuoteResponse>('/api/tasks/quote', { category: 'data_entry' }, { token: s.token })).body;
  const submit = (s: Session, extra: Record<string, unknown> = {}, app: TestApp = t) => app.http.post<TaskView & BudgetRefusal>('/api/tasks', { ...taskBody(), ...extra }, { token: s.token });

  beforeAll(async () => {
    t = await startTestApp();
    // A second instance on the same database and Redis prefix, as a deployment of two would be.
    t2 = await startTestApp({}, { shareWith: t });
    admin = await loginAdmin(t.http, t.config);
    assistant = await registerAssistant(t.http, ['data_entry']);
    const owner = await registerClient(t.http);
    price = (await quote(owner)).priceCents;
  });
  afterAll(async () => {
    await t2.close();
    await t.close();
  });

  it('whoever creates an organization owns it; a member added to it does not; assistants have no role', async () => {
    const owner = await registerClient(t.http);
    expect(owner.user.orgRole).toBe('owner');
    const member = await addMember(t.http, admin, owner);
    expect(member.user.orgRole).toBe('member');
    expect(assistant.user.orgRole).toBeNull();
    expect((await t.http.get<{ orgRole: string }>('/api/auth/me', { token: member.token })).body.orgRole).toBe('member');
  });

  it('an organization without a budget submits as before and its quote shows none', async () => {
    const free = await registerClient(t.http);
    expect((await quote(free)).budget).toBeNull();
    expect((await t.http.get<OrganizationSettingsView>(settings(free), { token: free.token })).body.monthlyBudgetCents).toBeNull();
    for (let i = 0; i < 3; i++) expect((await submit(free)).status).toBe(201);
  });

  it('refuses with 422 and the amount over a submission that would pass the budget; an owner approves the overage', async () => {
    const owner = await registerClient(t.http);
    const member = await addMember(t.http, admin, owner);
    const budget = 2 * price + Math.floor(price / 2);
    expect((await setBudget(owner, budget)).body.monthlyBudgetCents).toBe(budget);
    expect((await submit(owner)).status).toBe(201);
    expect((await submit(member)).status).toBe(201);
    expect((await quote(owner)).budget).toEqual({ monthlyCents: budget, committedCents: 2 * price, remainingCents: budget - 2 * price });

    const refused = await submit(member);
    expect(refused.status).toBe(422);
    const over = 3 * price - budget;
    expect(refused.body).toMatchObject({ code: 'budget_exceeded', scope: 'organization', templateId: null, monthlyCents: budget, committedCents: 2 * price, priceCents: price, overByCents: over });
    expect(refused.body.message).toContain(`$${(over / 100).toFixed(2)} over its monthly budget of $${(budget / 100).toFixed(2)}`);

    // Only an owner may approve: a member who asks is refused outright, and nothing is created.
    const notOwner = await submit(member, { approveOverage: true });
    expect([notOwner.status, notOwner.body.message]).toEqual([403, 'only an owner of the organization may approve an overage']);
    const approved = await submit(owner, { approveOverage: true });
    expect(approved.status).toBe(201);
    expect(approved.body.priceCents).toBe(price);
    expect((await quote(owner)).budget).toEqual({ monthlyCents: budget, committedCents: 3 * price, remainingCents: budget - 3 * price });
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM tasks WHERE organization_id = $1`, [owner.user.organizationId]);
    expect(rows[0].n).toBe(3);

    // Removing the budget lets everything through again.
    expect((await setBudget(owner, null)).body.monthlyBudgetCents).toBeNull();
    expect((await submit(member)).status).toBe(201);
  });

  it('committed spend: unbilled tasks not yet returned plus what was billed this month, not cancelled, late or last month', async () => {
    const owner = await registerClient(t.http);
    const org = owner.user.organizationId!;
    await setBudget(owner, 1_000 * price);
    await submitTask(t.http, owner); // queued: counts
    const claimed = await submitTask(t.http, owner);
    expect((await act(t.http, assistant, claimed.id, 'claim')).status).toBe(200); // claimed: counts
    const cancelled = await submitTask(t.http, owner);
    expect((await act(t.http, owner, cancelled.id, 'cancel')).status).toBe(200); // cancelled: never billed
    const late = await submitTask(t.http, owner);
    for (const a of ['claim', 'start'] as const) expect((await act(t.http, assistant, late.id, a)).status).toBe(200);
    await t.db.query(`UPDATE tasks SET deadline = now() - interval '1 minute' WHERE id = $1`, [late.id]);
    expect((await act(t.http, assistant, late.id, 'return', { result: 'late' })).body.onTime).toBe(false); // late: never billed
    const billed = await chargedTask(t, owner, assistant); // billed this month: counts once, also while back in progress
    expect((await act(t.http, owner, billed.id, 'revise', { feedback: 'one more thing' })).status).toBe(200);
    // A charge of last month (of the cancelled task, so it is not also counted as open work).
    await t.db.query(
      `INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency, created_at)
       VALUES ($1, $2, $3, 'charge', 12345, 'USD', date_trunc('month', now()) - interval '3 days')`,
      [cancelled.id, org, assistant.user.id],
    );
    expect((await quote(owner)).budget!.committedCents).toBe(3 * price);

    // The month is the organization's: in a zone where it is already (or still) another month, the line moves.
    await t.db.query(`UPDATE organizations SET time_zone = 'Pacific/Kiritimati' WHERE id = $1`, [org]);
    const { rows } = await t.db.query(
      `SELECT date_trunc('month', now() AT TIME ZONE 'Pacific/Kiritimati') = date_trunc('month', now() AT TIME ZONE 'UTC') AS same`,
    );
    if (rows[0].same) expect((await quote(owner)).budget!.committedCents).toBe(3 * price);
  });

  it('80 % and 100 % reach the owners’ sockets once each per month, not a member’s', async () => {
    const owner = await registerClient(t.http);
    const member = await addMember(t.http, admin, owner);
    await setBudget(owner, 5 * price);
    const ownerLive = await LiveClient.connect(t.url, owner.token);
    const memberLive = await LiveClient.connect(t2.url, member.token);
    try {
      for (let i = 0; i < 5; i++) expect((await submit(i % 2 ? member : owner)).status).toBe(201);
      expect((await submit(owner, { approveOverage: true })).status).toBe(201);
      expect((await submit(member)).status).toBe(422);
      await settled(t, [ownerLive, memberLive]);
      const notices = ownerLive.of('budget.threshold').map((r) => r.payload);
      expect(notices).toEqual([
        expect.objectContaining({ organizationId: owner.user.organizationId, templateId: null, thresholdPct: 80, monthlyCents: 5 * price, committedCents: 4 * price }),
        expect.objectContaining({ thresholdPct: 100, committedCents: 5 * price }),
      ]);
      expect(notices[0].month).toMatch(/^\d{4}-\d{2}$/);
      expect(memberLive.of('budget.threshold')).toEqual([]);
      const { rows } = await t.db.query(`SELECT threshold_pct FROM budget_notices WHERE organization_id = $1 ORDER BY threshold_pct`, [owner.user.organizationId]);
      expect(rows.map((r) => r.threshold_pct)).toEqual([80, 100]);
    } finally {
      ownerLive.close();
      memberLive.close();
    }
  });

  it('concurrent submits on two instances never take committed spend past the budget', async () => {
    const owner = await registerClient(t.http);
    const member = await addMember(t.http, admin, owner);
    const budget = 5 * price;
    await setBudget(owner, budget);
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => submit(i % 2 ? member : owner, {}, i % 2 ? t2 : t)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 422)).toHaveLength(11);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.code === 'budget_exceeded')).toBe(true);
    const { rows } = await t.db.query(`SELECT coalesce(sum(price_cents), 0)::int AS spent FROM tasks WHERE organization_id = $1`, [owner.user.organizationId]);
    expect(rows[0].spent).toBe(budget);
  });

  it('a template’s own budget refuses within the organization’s, and its preview shows both', async () => {
    const owner = await registerClient(t.http);
    const member = await addMember(t.http, admin, owner);
    const other = await registerClient(t.http);
    const created = await t.http.post<TemplateView>(
      '/api/templates',
      { name: 'Invoices', category: 'data_entry', instructions: 'Enter them.', deadlineRule: { kind: 'calendar_hours', hours: 24 } },
      { token: owner.token },
    );
    expect(created.status).toBe(201);
    expect(created.body.monthlyBudgetCents).toBeNull();
    const path = `/api/templates/${created.body.id}/budget`;
    expect((await t.http.put(path, { monthlyBudgetCents: price }, { token: member.token })).status).toBe(403);
    expect((await t.http.put(path, { monthlyBudgetCents: price }, { token: other.token })).status).toBe(404);
    expect((await t.http.put(`/api/templates/${NO_ID}/budget`, { monthlyBudgetCents: price }, { token: owner.token })).status).toBe(404);
    expect((await t.http.put(path, { monthlyBudgetCents: price }, { token: assistant.token })).status).toBe(403);
    const set = await t.http.put<TemplateView>(path, { monthlyBudgetCents: price }, { token: owner.token });
    expect([set.status, set.body.monthlyBudgetCents]).toEqual([200, price]);
    await setBudget(owner, 10 * price);

    const fromTemplate = { templateId: created.body.id, title: 'March', instructions: undefined, category: undefined, deadline: undefined };
    expect((await submit(member, fromTemplate)).status).toBe(201);
    expect((await submit(owner)).status).toBe(201); // written out: only the organization's budget
    const refused = await submit(member, fromTemplate);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'budget_exceeded', scope: 'template', templateId: created.body.id, overByCents: price });
    const preview = await t.http.post<TemplatePreview>(`/api/templates/${created.body.id}/preview`, {}, { token: owner.token });
    expect(preview.body.templateBudget).toEqual({ monthlyCents: price, committedCents: price, remainingCents: 0 });
    expect(preview.body.budget).toEqual({ monthlyCents: 10 * price, committedCents: 2 * price, remainingCents: 8 * price });

    // A starter is every organization's: it takes no budget.
    const starters = await t.http.get<{ items: TemplateView[] }>('/api/templates?scope=starter', { token: owner.token });
    const starter = starters.body.items[0]!;
    expect((await t.http.put(`/api/templates/${starter.id}/budget`, { monthlyBudgetCents: price }, { token: owner.token })).status).toBe(422);
  });

  it('an idempotent submit (Idempotency-Key) is checked the same way, in its own transaction', async () => {
    const owner = await registerClient(t.http);
    await setBudget(owner, price);
    // One body: a replay must send the same one.
    const body = taskBody();
    const keyed = (key: string, extra: Record<string, unknown> = {}) =>
      t.http.post<TaskView & BudgetRefusal>('/api/tasks', { ...body, ...extra }, { token: owner.token, headers: { 'idempotency-key': key } });
    expect((await keyed('budget-key-1')).status).toBe(201);
    const refused = await keyed('budget-key-2');
    expect([refused.status, refused.body.code, refused.body.overByCents]).toEqual([422, 'budget_exceeded', price]);
    const approved = await keyed('budget-key-3', { approveOverage: true });
    expect(approved.status).toBe(201);
    const replay = await keyed('budget-key-3', { approveOverage: true });
    expect([replay.status, replay.body.id]).toEqual([201, approved.body.id]);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM tasks WHERE organization_id = $1`, [owner.user.organizationId]);
    expect(rows[0].n).toBe(2);
  });

  it('only an owner or an admin changes the budget; another organization gets 404', async () => {
    const owner = await registerClient(t.http);
    const member = await addMember(t.http, admin, owner);
    const other = await registerClient(t.http);
    const refused = await setBudget(owner, 100, member);
    expect([refused.status, (refused.body as unknown as { message: string }).message]).toEqual([403, 'only an owner of the organization may change the budget']);
    // A member still changes the calendar.
    expect((await t.http.patch(settings(owner), { holidays: ['2030-01-01'] }, { token: member.token })).status).toBe(200);
    expect((await setBudget(owner, 100, other)).status).toBe(404);
    expect((await setBudget(owner, 100, assistant)).status).toBe(403);
    expect((await setBudget(owner, 250, admin)).body.monthlyBudgetCents).toBe(250);
    expect((await t.http.get<OrganizationSettingsView>(settings(owner), { token: owner.token })).body.monthlyBudgetCents).toBe(250);
  });

  it.each([
    ['negative', { monthlyBudgetCents: -1 }, /^monthlyBudgetCents must be at least 0$/],
    ['fractional', { monthlyBudgetCents: 1.5 }, /^monthlyBudgetCents must be a whole number of cents$/],
    ['a string', { monthlyBudgetCents: '100' }, /^monthlyBudgetCents must be a number of cents or null$/],
    ['too large', { monthlyBudgetCents: 2_000_000_001 }, /^monthlyBudgetCents must be at most 2000000000$/],
  ])('bad input: a budget %s → 400 naming the field, on the settings and the template', async (_name, body, message) => {
    const owner = await registerClient(t.http);
    const res = await t.http.patch(settings(owner), body, { token: owner.token });
    expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(message)]);
    const tpl = await t.http.post<TemplateView>('/api/templates', { name: 'X', category: 'data_entry', instructions: 'x', deadlineRule: { kind: 'calendar_hours', hours: 24 } }, { token: owner.token });
    const onTemplate = await t.http.put(`/api/templates/${tpl.body.id}/budget`, body, { token: owner.token });
    expect([onTemplate.status, onTemplate.body.message]).toEqual([400, expect.stringMatching(message)]);
  });

  it('bad input: approveOverage that is not a boolean, a template budget body without the field', async () => {
    const owner = await registerClient(t.http);
    const res = await submit(owner, { approveOverage: 'yes' });
    expect([res.status, res.body.message]).toEqual([400, 'approveOverage must be true or false']);
    const tpl = await t.http.post<TemplateView>('/api/templates', { name: 'Y', category: 'data_entry', instructions: 'y', deadlineRule: { kind: 'calendar_hours', hours: 24 } }, { token: owner.token });
    expect((await t.http.put(`/api/templates/${tpl.body.id}/budget`, {}, { token: owner.token })).status).toBe(400);
    expect((await t.http.put(`/api/templates/not-a-uuid/budget`, { monthlyBudgetCents: 1 }, { token: owner.token })).status).toBe(400);
  });
});
