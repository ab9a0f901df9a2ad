import { loginAdmin, PASSWORD, registerAssistant, registerClient, type Session } from './support/factories.js';
import { act, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Rec {
  id: string;
  createdAt: string;
  actorId: string | null;
  actorRole: string;
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, any>;
}

describe('security: audit trail', () => {
  let t: TestApp;
  let admin: Session;
  let client: Session;
  let assistant: Session;
  const started = new Date().toISOString();

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    client = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['data_entry']);
  });
  afterAll(() => t.close());

  const audit = async (query = '') => {
    const res = await t.http.get(`/api/admin/audit${query}`, { token: admin.token });
    expect(res.status).toBe(200);
    return res.body as { items: Rec[]; nextCursor: string | null };
  };
  const byAction = async (action: string, targetId: string) => (await audit(`?action=${action}&limit=200`)).items.filter((r) => r.targetId === targetId);

  it('records suspension, reinstatement, skills and capacity changes with who, when and what changed', async () => {
    const before = Date.now();
    await t.http.patch(`/api/users/${assistant.user.id}`, { suspended: true }, { token: admin.token });
    await t.http.patch(`/api/users/${assistant.user.id}`, { suspended: false }, { token: admin.token });
    await t.http.patch(`/api/users/${assistant.user.id}`, { skills: ['data_entry', 'research'], maxConcurrentTasks: 5 }, { token: admin.token });

    const [suspend] = await byAction('user.suspend', assistant.user.id);
    expect(suspend).toMatchObject({ actorId: admin.user.id, actorRole: 'admin', actorName: admin.user.name, targetType: 'user', details: { changes: { suspended: { from: false, to: true } } } });
    expect(Date.parse(suspend!.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(await byAction('user.reinstate', assistant.user.id)).toHaveLength(1);
    const [update] = await byAction('user.update', assistant.user.id);
    expect(update!.details.changes).toEqual({ skills: { from: ['data_entry'], to: ['data_entry', 'research'] }, maxConcurrentTasks: { from: 3, to: 5 } });
    assistant = { ...assistant, token: (await t.http.post('/api/auth/login', { email: assistant.user.email, password: PASSWORD })).body.accessToken };
  });

  it('records users an admin creates, and rate-card changes with the old and new price', async () => {
    const created = await t.http.post('/api/users', { email: `made-${Date.now()}@example.com`, password: PASSWORD, name: 'Made By Admin', role: 'admin' }, { token: admin.token });
    expect(created.status).toBe(201);
    expect((await byAction('user.create', created.body.id))[0]).toMatchObject({ actorId: admin.user.id, details: { role: 'admin', email: created.body.email } });

    const before = (await t.http.get('/api/rate-card', { token: admin.token })).body.find((r: { category: string }) => r.category === 'research');
    expect((await t.http.put('/api/rate-card/research', { basePriceCents: before.basePriceCents + 100 }, { token: admin.token })).status).toBe(200);
    expect((await byAction('rate_card.update', 'research'))[0]).toMatchObject({ actorId: admin.user.id, details: { from: before.basePriceCents, to: before.basePriceCents + 100 } });
  });

  it('lists every task transition with its actor, and the refunds and adjustments admins record', async () => {
    const task = await submitTask(t.http, client);
    for (const step of ['claim', 'start']) expect((await act(t.http, assistant, task.id, step)).status).toBe(200);
    expect((await act(t.http, assistant, task.id, 'return', { result: 'Done.' })).status).toBe(200);
    const refund = await t.http.post('/api/billing/adjustments', { taskId: task.id, kind: 'refund', amountCents: 100, reason: 'One invoice was missed' }, { token: admin.token });
    expect(refund.status).toBe(201);

    const trail = (await audit(`?limit=200`)).items.filter((r) => r.targetId === task.id).reverse();
    expect(trail.map((r) => [r.action, r.actorId])).toEqual([
      ['task.submit', client.user.id],
      ['task.claim', assistant.user.id],
      ['task.start', assistant.user.id],
      ['task.return', assistant.user.id],
      ['billing.refund', admin.user.id],
    ]);
    expect(trail[1]!.details).toEqual({ from: 'queued', to: 'claimed' });
    expect(trail[4]!.details).toMatchObject({ amountCents: 100, reason: 'One invoice was missed', organizationId: client.user.organizationId });
  });

  it('filters by actor, action (exact or family), period, and pages with a cursor', async () => {
    const mine = await audit(`?actorId=${client.user.id}&limit=200`);
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((r) => r.actorId === client.user.id)).toBe(true);

    const tasks = await audit('?action=task.*&limit=200');
    expect(tasks.items.length).toBeGreaterThanOrEqual(4);
    expect(tasks.items.every((r) => r.action.startsWith('task.'))).toBe(true);

    expect((await audit(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items).toEqual([]);
    const window = await audit(`?from=${encodeURIComponent(started)}&to=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}&limit=200`);
    const all = window.items;

    const paged: Rec[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Rec[]; nextCursor: string | null } = await audit(`?from=${encodeURIComponent(started)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged.map((r) => r.id)).toEqual(all.map((r) => r.id));
    const times = all.map((r) => Date.parse(r.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('is for admins only, and refuses bad filters', async () => {
    expect((await t.http.get('/api/admin/audit')).status).toBe(401);
    expect((await t.http.get('/api/admin/audit', { token: client.token })).status).toBe(403);
    expect((await t.http.get('/api/admin/audit', { token: assistant.token })).status).toBe(403);
    for (const q of ['?actorId=nope', '?action=DROP%20TABLE', '?from=yesterday', '?limit=201', '?cursor=%%%', `?from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(Date.now() - 1000).toISOString())}`]) {
      const res = await t.http.get(`/api/admin/audit${q}`, { token: admin.token });
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
    }
  });

  it('writes nothing for a refused action, and the log cannot be edited or erased', async () => {
    const count = async () => (await t.db.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n as number;
    const n = await count();
    expect((await t.http.patch(`/api/users/${admin.user.id}`, { suspended: true }, { token: admin.token })).status).toBe(403);
    expect((await t.http.patch(`/api/users/${client.user.id}`, { maxConcurrentTasks: 4 }, { token: admin.token })).status).toBe(409);
    expect((await t.http.patch(`/api/users/${client.user.id}`, { suspended: true, role: 'admin' }, { token: admin.token })).status).toBe(400);
    expect(await count()).toBe(n);
    expect((await t.db.query(`SELECT suspended FROM users WHERE id = $1`, [client.user.id])).rows[0].suspended).toBe(false);
    await expect(t.db.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  });

  it('rolls the admin action back when its audit record cannot be written', async () => {
    const victim = await registerClient(t.http);
    // Make the audit insert fail inside the transaction; the suspension must not survive it.
    await t.db.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_fail_test CHECK (action <> 'user.suspend') NOT VALID`);
    try {
      const res = await t.http.patch(`/api/users/${victim.user.id}`, { suspended: true }, { token: admin.token });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect((await t.db.query(`SELECT suspended, token_version FROM users WHERE id = $1`, [victim.user.id])).rows[0]).toEqual({ suspended: false, token_version: 0 });
    } finally {
      await t.db.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_fail_test`);
    }
  });
});
