import { splitPrice, type LedgerEntryView, type TaskView } from '@handoff/contracts';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import pg from 'pg';
import { chargedTask, checkLedgerInvariants, taskBill } from './support/ledger.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Submit and carry a task to its first return; `late` moves the deadline into the past first. */
async function returned(t: TestApp, client: Session, assistant: Session, opts: { late?: boolean; priority?: 'low' | 'normal' | 'high' | 'urgent'; title?: string } = {}): Promise<TaskView> {
  const task = await submitTask(t.http, client, { priority: opts.priority ?? 'normal', ...(opts.title ? { title: opts.title } : {}) });
  expect((await act(t.http, assistant, task.id, 'claim')).status).toBe(200);
  expect((await act(t.http, assistant, task.id, 'start')).status).toBe(200);
  if (opts.late) await t.db.query(`UPDATE tasks SET deadline = now() - interval '1 minute' WHERE id = $1`, [task.id]);
  const res = await act(t.http, assistant, task.id, 'return', { result: 'done' });
  expect(res.status).toBe(200);
  return res.body;
}

const ledgerCount = async (t: TestApp) => (await t.db.query(`SELECT count(*)::int AS n FROM ledger_entries`)).rows[0].n as number;

describe('billing: review, corrections and visibility', () => {
  let t: TestApp;
  let admin: Session;
  let orgA: Session;
  let orgB: Session;
  let asst1: Session;
  let asst2: Session;
  let taskA: TaskView;
  let taskB: TaskView;
  let lateA: TaskView;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    orgA = await registerClient(t.http, { organizationName: 'Acme, "Quoted" Inc.' });
    orgB = await registerClient(t.http, { organizationName: '=cmd|calc' });
    asst1 = await registerAssistant(t.http, ['data_entry']);
    asst2 = await registerAssistant(t.http, ['data_entry']);
    taskA = await returned(t, orgA, asst1, { title: 'Enter March invoices, "all" of them' });
    taskB = await returned(t, orgB, asst2, { priority: 'urgent', title: '=SUM(A1:A9)' });
    lateA = await returned(t, orgA, asst2, { late: true });
  });
  afterAll(() => t.close());

  describe('GET /api/billing/entries', () => {
    it('gives admins every entry with the filters, newest first', async () => {
      const all = await t.http.get('/api/billing/entries', { token: admin.token });
      expect(all.status).toBe(200);
      expect(all.body.items).toHaveLength(4);
      const times = all.body.items.map((e: LedgerEntryView) => e.createdAt);
      expect([...times].sort().reverse()).toEqual(times);

      const byOrg = await t.http.get(`/api/billing/entries?organizationId=${orgA.user.organizationId}`, { token: admin.token });
      expect(byOrg.body.items.map((e: LedgerEntryView) => e.taskId)).toEqual([taskA.id, taskA.id]);
      // Each entry names its task by title, so no screen has to show an id fragment.
      expect(byOrg.body.items.map((e: LedgerEntryView) => e.taskTitle)).toEqual([taskA.title, taskA.title]);
      const byAssistant = await t.http.get(`/api/billing/entries?assistantId=${asst2.user.id}&kind=payout`, { token: admin.token });
      expect(byAssistant.body.items).toEqual([expect.objectContaining({ taskId: taskB.id, kind: 'payout', amountCents: splitPrice(taskB.priceCents, 2000).payoutCents })]);
      const future = await t.http.get(`/api/billing/entries?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { token: admin.token });
      expect(future.body.items).toEqual([]);
    });

    it('pages with a keyset cursor without skipping or repeating entries', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: LedgerEntryView[]; nextCursor: string | null } } = await t.http.get(
          `/api/billing/entries?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
          { token: admin.token },
        );
        seen.push(...res.body.items.map((e) => e.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      const all = await t.http.get('/api/billing/entries?limit=200', { token: admin.token });
      expect(seen).toEqual(all.body.items.map((e: LedgerEntryView) => e.id));
      expect((await t.http.get('/api/billing/entries?cursor=bm9wZQ', { token: admin.token })).status).toBe(400);
    });

    it('shows a client only its organization’s charges, and someone else’s filter gets nothing', async () => {
      const mine = await t.http.get('/api/billing/entries', { token: orgA.token });
      expect(mine.body.items).toEqual([expect.objectContaining({ taskId: taskA.id, kind: 'charge', organizationId: orgA.user.organizationId })]);
      for (const q of [`organizationId=${orgB.user.organizationId}`, 'kind=payout', `organizationId=${orgB.user.organizationId}&kind=charge`]) {
        const other = await t.http.get(`/api/billing/entries?${q}`, { token: orgA.token });
        expect(other.status).toBe(200);
        expect(other.body).toEqual({ items: [], nextCursor: null });
      }
    });

    it('shows an assistant only its own payouts', async () => {
      const mine = await t.http.get('/api/billing/entries', { token: asst1.token });
      expect(mine.body.items).toEqual([expect.objectContaining({ taskId: taskA.id, kind: 'payout', assistantId: asst1.user.id })]);
      expect((await t.http.get(`/api/billing/entries?assistantId=${asst2.user.id}`, { token: asst1.token })).body.items).toEqual([]);
      expect((await t.http.get(`/api/billing/entries?kind=charge`, { token: asst1.token })).body.items).toEqual([]);
    });
  });

  describe('GET /api/billing/summary', () => {
    it('sums per organization with the fee, late tasks and a per-day series', async () => {
      const res = await t.http.get('/api/billing/summary', { token: admin.token });
      expect(res.status).toBe(200);
      const a = res.body.organizations.find((o: { organizationId: string }) => o.organizationId === orgA.user.organizationId);
      const fee = splitPrice(taskA.priceCents, 2000);
      expect(a).toMatchObject({
        organizationName: 'Acme, "Quoted" Inc.',
        tasksBilled: 1,
        chargedCents: taskA.priceCents,
        paidOutCents: fee.payoutCents,
        feeCents: fee.feeCents,
        refundedCents: 0,
        lateTasks: 1,
      });
      const total = res.body.totals[0];
      expect(total).toMatchObject({ currency: 'USD', tasksBilled: 2, chargedCents: taskA.priceCents + taskB.priceCents, lateTasks: 1 });
      const today = new Date().toISOString().slice(0, 10);
      expect(res.body.days.find((d: { day: string }) => d.day === today)).toMatchObject({ chargedCents: total.chargedCents, paidOutCents: total.paidOutCents });
      // A period that ended before anything happened is empty, not an error.
      const past = await t.http.get('/api/billing/summary?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z', { token: admin.token });
      expect(past.body).toMatchObject({ organizations: [], totals: [] });
      expect(past.body.days).toEqual([]);
    });

    it('is for admins only', async () => {
      for (const s of [orgA, asst1]) {
        expect((await t.http.get('/api/billing/summary', { token: s.token })).status).toBe(403);
        expect((await t.http.get('/api/billing/export.csv', { token: s.token })).status).toBe(403);
      }
      expect((await t.http.get('/api/billing/summary')).status).toBe(401);
    });
  });

  describe('GET /api/billing/export.csv', () => {
    it('streams the filtered entries as quoted CSV with an attachment header', async () => {
      const res = await t.http.get(`/api/billing/export.csv?kind=charge`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="handoff-billing-\d{4}-\d{2}-\d{2}\.csv"$/);
      const lines = res.text.split('\r\n').filter(Boolean);
      expect(lines[0]).toBe('id,created_at,kind,task_id,task_title,organization_id,organization_name,assistant_id,assistant_name,amount_cents,amount,currency,created_by,reason');
      expect(lines).toHaveLength(3);
      expect(res.text).toContain(`,charge,${taskA.id},"Enter March invoices, ""all"" of them",${orgA.user.organizationId},"Acme, ""Quoted"" Inc.",`);
      // A title or a name that a spreadsheet would run as a formula is defused.
      expect(res.text).toContain(`,charge,${taskB.id},'=SUM(A1:A9),${orgB.user.organizationId},'=cmd|calc,`);
      expect(res.text).toContain(`,${taskB.priceCents},${(taskB.priceCents / 100).toFixed(2)},USD,,\r\n`);
    });

    it('rejects bad filters with a 400 before streaming', async () => {
      const res = await t.http.get('/api/billing/export.csv?from=yesterday', { token: admin.token });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^from /);
    });
  });

  describe('POST /api/billing/adjustments', () => {
    it('records a refund with who and why, and announces it live to admins and the organization', async () => {
      const adminLive = await LiveClient.connect(t.url, admin.token);
      const orgLive = await LiveClient.connect(t.url, orgA.token);
      const otherLive = await LiveClient.connect(t.url, orgB.token);
      try {
        const res = await t.http.post('/api/billing/adjustments', { taskId: taskA.id, kind: 'refund', amountCents: 100, reason: 'Two invoices were missed' }, { token: admin.token });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          taskId: taskA.id,
          organizationId: orgA.user.organizationId,
          kind: 'refund',
          amountCents: 100,
          createdBy: admin.user.id,
          reason: 'Two invoices were missed',
        });
        await eventually(async () => adminLive.of('billing.recorded', taskA.id).length + orgLive.of('billing.recorded', taskA.id).length, (n) => n >= 2);
        expect(res.body.taskTitle).toBe(taskA.title);
        expect(orgLive.of('billing.recorded', taskA.id).map((r) => r.payload.entry)).toContainEqual(expect.objectContaining({ id: res.body.id, taskTitle: taskA.title }));
        expect(otherLive.of('billing.recorded', taskA.id)).toEqual([]);
        // The client sees the refund on its side of the ledger.
        const mine = await t.http.get('/api/billing/entries?kind=refund', { token: orgA.token });
        expect(mine.body.items.map((e: LedgerEntryView) => e.id)).toEqual([res.body.id]);
      } finally {
        adminLive.close();
        orgLive.close();
        otherLive.close();
      }
    });

    it('answers a retry with the same Idempotency-Key once, without a second refund', async () => {
      const body = { taskId: taskB.id, kind: 'refund', amountCents: 5, reason: 'retry-safe' };
      const first = await t.http.post('/api/billing/adjustments', body, { token: admin.token, headers: { 'idempotency-key': 'refund-b-1' } });
      const again = await t.http.post('/api/billing/adjustments', body, { token: admin.token, headers: { 'idempotency-key': 'refund-b-1' } });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE task_id = $1 AND reason = 'retry-safe'`, [taskB.id]);
      expect(rows[0].n).toBe(1);
    });

    it('lets concurrent refunds that together exceed the charge land only up to the charge', async () => {
      const assistant = await registerAssistant(t.http, ['data_entry']);
      const task = await returned(t, orgA, assistant);
      const part = Math.ceil(task.priceCents / 3);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          t.http.post('/api/billing/adjustments', { taskId: task.id, kind: 'refund', amountCents: part, reason: `race ${i}` }, { token: admin.token }),
        ),
      );
      const landed = results.filter((r) => r.status === 201).length;
      expect(landed).toBe(Math.floor(task.priceCents / part));
      expect(results.filter((r) => r.status !== 201).every((r) => r.status === 422)).toBe(true);
      const { rows } = await t.db.query(`SELECT coalesce(sum(amount_cents), 0)::int AS refunded FROM ledger_entries WHERE task_id = $1 AND kind = 'refund'`, [task.id]);
      expect(rows[0].refunded).toBe(landed * part);
      expect(rows[0].refunded).toBeLessThanOrEqual(task.priceCents);
      // The rest of the charge can still be refunded exactly, and then nothing more.
      const rest = task.priceCents - landed * part;
      if (rest > 0) expect((await t.http.post('/api/billing/adjustments', { taskId: task.id, kind: 'refund', amountCents: rest, reason: 'rest' }, { token: admin.token })).status).toBe(201);
      expect((await t.http.post('/api/billing/adjustments', { taskId: task.id, kind: 'refund', amountCents: 1, reason: 'one more' }, { token: admin.token })).status).toBe(422);
    });

    it('allows a signed adjustment but never takes the task’s bill below zero', async () => {
      const credit = await t.http.post('/api/billing/adjustments', { taskId: taskB.id, kind: 'adjustment', amountCents: -10, reason: 'goodwill' }, { token: admin.token });
      expect(credit.status).toBe(201);
      const extra = await t.http.post('/api/billing/adjustments', { taskId: taskB.id, kind: 'adjustment', amountCents: 250, reason: 'rush handling' }, { token: admin.token });
      expect(extra.status).toBe(201);
      const tooMuch = await t.http.post('/api/billing/adjustments', { taskId: taskB.id, kind: 'adjustment', amountCents: -(taskB.priceCents * 10), reason: 'x' }, { token: admin.token });
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body.message).toMatch(/^amountCents /);
    });

    describe('one rule for every correction: the task’s bill never goes below zero', () => {
      let org: Session;
      let assistant: Session;
      const correct = (taskId: string, kind: 'refund' | 'adjustment', amountCents: number, reason = 'rule') =>
        t.http.post('/api/billing/adjustments', { taskId, kind, amountCents, reason }, { token: admin.token });
      beforeAll(async () => {
        org = await registerClient(t.http);
        assistant = await registerAssistant(t.http, ['data_entry']);
      });

      it('refuses a refund once a credit has taken the bill to zero (adjustment −951, then refund 951 on a 951 charge)', async () => {
        const task = await chargedTask(t, org, assistant, 951);
        expect((await taskBill(t, task.id)).charged).toBe(951);
        expect((await correct(task.id, 'adjustment', -951)).status).toBe(201);
        const refund = await correct(task.id, 'refund', 951);
        expect(refund.status).toBe(422);
        expect(refund.body.message).toMatch(/^amountCents 951 exceeds what is left to refund: 0 /);
        expect(await taskBill(t, task.id)).toMatchObject({ charged: 951, refunded: 0, adjusted: -951, net: 0, corrections: 1 });
        // Nor the other way round: a credit after a full refund.
        const other = await chargedTask(t, org, assistant, 951);
        expect((await correct(other.id, 'refund', 951)).status).toBe(201);
        const credit = await correct(other.id, 'adjustment', -1);
        expect(credit.status).toBe(422);
        expect(credit.body.message).toMatch(/^amountCents -1 would take the task's bill below zero/);
        expect((await taskBill(t, other.id)).net).toBe(0);
      });

      it('lets a positive adjustment be refunded too, and not a cent more', async () => {
        const task = await chargedTask(t, org, assistant, 951);
        expect((await correct(task.id, 'adjustment', 100, 'rush handling')).status).toBe(201);
        expect((await correct(task.id, 'refund', 1051)).status).toBe(201);
        expect((await correct(task.id, 'refund', 1)).status).toBe(422);
        expect(await taskBill(t, task.id)).toMatchObject({ charged: 951, refunded: 1051, added: 100, net: 0 });
      });

      it('holds under 20 concurrent refunds and credits: never below zero, checked in SQL', async () => {
        const task = await chargedTask(t, org, assistant, 951);
        const amounts = Array.from({ length: 20 }, (_, i) => 90 + ((i * 37) % 60));
        const results = await Promise.all(amounts.map((a, i) => (i % 2 ? correct(task.id, 'adjustment', -a, `race ${i}`) : correct(task.id, 'refund', a, `race ${i}`))));
        const landed = results.filter((r) => r.status === 201);
        expect(results.filter((r) => r.status !== 201).every((r) => r.status === 422)).toBe(true);
        const bill = await taskBill(t, task.id);
        expect(bill.net).toBeGreaterThanOrEqual(0);
        expect(bill.refunded).toBeLessThanOrEqual(bill.charged + bill.added);
        expect(bill.corrections).toBe(landed.length);
        // What landed is exactly what the answers said, and the corrections took turns:
        // each refusal came when the bill could no longer take that amount, so it still can't.
        expect(bill.net).toBe(951 - landed.reduce((s, r) => s + Math.abs(r.body.amountCents), 0));
        const refused = amounts.filter((_, i) => results[i]!.status === 422);
        expect(refused.length).toBeGreaterThan(0);
        for (const a of refused) expect(a).toBeGreaterThan(bill.net);
      });

      describe('in the database itself, whoever writes', () => {
        let raw: pg.Pool;
        beforeAll(() => {
          raw = new pg.Pool({ connectionString: t.config.databaseUrl, max: 10 });
        });
        afterAll(() => raw.end());
        const outOfBounds = { code: '23514', constraint: 'ledger_correction_bounds' };
        const insert = (c: pg.Pool | pg.PoolClient, taskId: string, kind: 'refund' | 'adjustment', amountCents: number) =>
          c.query(
            `INSERT INTO ledger_entries (task_id, organization_id, kind, amount_cents, currency, created_by, reason)
             SELECT id, organization_id, $2::ledger_kind, $3, currency, $4, 'straight to SQL' FROM tasks WHERE id = $1`,
            [taskId, kind, amountCents, admin.user.id],
          );

        it('refuses a correction that would take the bill below zero, or one on a task never charged', async () => {
          const task = await chargedTask(t, org, assistant, 951);
          await insert(raw, task.id, 'adjustment', -951);
          await expect(insert(raw, task.id, 'refund', 951)).rejects.toMatchObject(outOfBounds);
          await expect(insert(raw, task.id, 'adjustment', -1)).rejects.toMatchObject(outOfBounds);
          await insert(raw, task.id, 'adjustment', 5);
          await insert(raw, task.id, 'refund', 5);
          expect(await taskBill(t, task.id)).toMatchObject({ net: 0, corrections: 3 });
          await expect(insert(raw, lateA.id, 'adjustment', 5)).rejects.toMatchObject(outOfBounds);
        });

        it('holds for 20 concurrent inserts on 10 connections that skip the API and its lock', async () => {
          const task = await chargedTask(t, org, assistant, 951);
          const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => insert(raw, task.id, i % 2 ? 'adjustment' : 'refund', i % 2 ? -120 : 120)));
          const landed = results.filter((r) => r.status === 'fulfilled').length;
          for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject(outOfBounds);
          const bill = await taskBill(t, task.id);
          expect(landed).toBe(Math.floor(951 / 120));
          expect(bill).toMatchObject({ corrections: landed, net: 951 - landed * 120 });
        });

        it('refuses corrections in a REPEATABLE READ transaction, whose snapshot could miss a concurrent one', async () => {
          const task = await chargedTask(t, org, assistant, 951);
          const c = await raw.connect();
          try {
            await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
            await expect(insert(c, task.id, 'refund', 1)).rejects.toThrow(/READ COMMITTED or SERIALIZABLE/);
            await c.query('ROLLBACK');
            await c.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
            await insert(c, task.id, 'refund', 1);
            await c.query('COMMIT');
          } finally {
            c.release();
          }
          expect((await taskBill(t, task.id)).refunded).toBe(1);
        });
      });
    });

    describe('refuses bad input with a 4xx naming the field and writes nothing', () => {
      const cases: [string, () => { body: unknown; token?: string }, number, RegExp][] = [
        ['a refund above the charge', () => ({ body: { taskId: taskA.id, kind: 'refund', amountCents: taskA.priceCents + 1, reason: 'too much' } }), 422, /^amountCents .*exceeds/],
        ['an adjustment without a reason', () => ({ body: { taskId: taskA.id, kind: 'adjustment', amountCents: 10 } }), 400, /^reason is required/],
        ['a blank reason', () => ({ body: { taskId: taskA.id, kind: 'adjustment', amountCents: 10, reason: '   ' } }), 400, /^reason must not be empty/],
        ['an amount that is not an integer', () => ({ body: { taskId: taskA.id, kind: 'refund', amountCents: 1.5, reason: 'r' } }), 400, /^amountCents must be an integer/],
        ['an amount given as a string', () => ({ body: { taskId: taskA.id, kind: 'refund', amountCents: '100', reason: 'r' } }), 400, /^amountCents must be a number/],
        ['a zero amount', () => ({ body: { taskId: taskA.id, kind: 'adjustment', amountCents: 0, reason: 'r' } }), 400, /^amountCents must not be zero/],
        ['a negative refund', () => ({ body: { taskId: taskA.id, kind: 'refund', amountCents: -5, reason: 'r' } }), 400, /^amountCents must be positive/],
        ['an unknown kind', () => ({ body: { taskId: taskA.id, kind: 'charge', amountCents: 5, reason: 'r' } }), 400, /^kind must be refund or adjustment/],
        ['an unknown task', () => ({ body: { taskId: '00000000-0000-4000-8000-000000000000', kind: 'refund', amountCents: 5, reason: 'r' } }), 404, /^taskId/],
        ['a malformed task id', () => ({ body: { taskId: 'nope', kind: 'refund', amountCents: 5, reason: 'r' } }), 400, /^taskId must be a UUID/],
        ['a task that was never charged', () => ({ body: { taskId: lateA.id, kind: 'refund', amountCents: 5, reason: 'r' } }), 422, /^taskId: the task was never charged/],
        ['an unexpected field', () => ({ body: { taskId: taskA.id, kind: 'refund', amountCents: 5, reason: 'r', createdBy: 'me' } }), 400, /^createdBy is not allowed/],
        ['a client posting an adjustment', () => ({ body: { taskId: taskA.id, kind: 'refund', amountCents: 5, reason: 'r' }, token: orgA.token }), 403, /./],
        ['an assistant posting an adjustment', () => ({ body: { taskId: taskA.id, kind: 'refund', amountCents: 5, reason: 'r' }, token: asst1.token }), 403, /./],
      ];
      it.each(cases)('%s', async (_name, make, status, message) => {
        const before = await ledgerCount(t);
        const { body, token } = make();
        const res = await t.http.post('/api/billing/adjustments', body, { token: token ?? admin.token });
        expect(res.status).toBe(status);
        expect(res.body.message).toMatch(message);
        expect(await ledgerCount(t)).toBe(before);
      });
    });
  });

  describe('dates and periods', () => {
    it.each([
      ['/api/billing/entries?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z', /^from must not be after to/],
      ['/api/billing/summary?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z', /^from must not be after to/],
      ['/api/billing/entries?from=2026-13-01', /^from must be an ISO-8601 date-time/],
      ['/api/billing/summary?to=not-a-date', /^to must be an ISO-8601 date-time/],
      ['/api/billing/summary?from=2026-02-30T00:00:00Z', /^from must be an ISO-8601 date-time/],
      ['/api/billing/statement?month=2026-13&organizationId=00000000-0000-4000-8000-000000000000', /^month must be a month as YYYY-MM/],
      ['/api/billing/earnings?from=2026-03-01T00:00:00Z&to=2026-01-01T00:00:00Z&assistantId=00000000-0000-4000-8000-000000000000', /^from must not be after to/],
      ['/api/billing/entries?kind=bonus', /^kind must be one of/],
      ['/api/billing/entries?organizationId=42', /^organizationId must be a UUID/],
    ])('%s → 400', async (path, message) => {
      const res = await t.http.get(path, { token: admin.token });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    });
  });

  describe('statement and earnings', () => {
    it('gives a client its month: charges, refunds and the total', async () => {
      const month = new Date().toISOString().slice(0, 7);
      const res = await t.http.get(`/api/billing/statement?month=${month}`, { token: orgB.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ organizationId: orgB.user.organizationId, organizationName: '=cmd|calc', month });
      const kinds = res.body.lines.map((l: LedgerEntryView) => l.kind);
      expect(kinds).not.toContain('payout');
      expect(new Set(res.body.lines.map((l: LedgerEntryView) => l.taskTitle))).toEqual(new Set([taskB.title]));
      const sum = res.body.lines.reduce((s: number, l: LedgerEntryView) => s + (l.kind === 'refund' ? -l.amountCents : l.amountCents), 0);
      expect(res.body.totals[0]).toMatchObject({ currency: 'USD', chargedCents: taskB.priceCents, totalCents: sum, tasksBilled: 1 });
      // An earlier month is empty.
      expect((await t.http.get('/api/billing/statement?month=2020-01', { token: orgB.token })).body).toMatchObject({ lines: [], totals: [] });
    });

    it('never shows a client another organization’s statement; admins name the organization', async () => {
      expect((await t.http.get(`/api/billing/statement?organizationId=${orgA.user.organizationId}`, { token: orgB.token })).status).toBe(404);
      expect((await t.http.get('/api/billing/statement', { token: asst1.token })).status).toBe(403);
      expect((await t.http.get('/api/billing/statement', { token: admin.token })).status).toBe(400);
      const byAdmin = await t.http.get(`/api/billing/statement?organizationId=${orgA.user.organizationId}`, { token: admin.token });
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body.organizationName).toBe('Acme, "Quoted" Inc.');
      expect((await t.http.get('/api/billing/statement?organizationId=00000000-0000-4000-8000-000000000000', { token: admin.token })).status).toBe(404);
    });

    it('gives an assistant its payouts per month and per day, and nobody else’s', async () => {
      const res = await t.http.get('/api/billing/earnings', { token: asst2.token });
      expect(res.status).toBe(200);
      const payout = splitPrice(taskB.priceCents, 2000).payoutCents;
      expect(res.body.periods).toEqual([{ period: new Date().toISOString().slice(0, 7), currency: 'USD', totalCents: payout, payouts: 1 }]);
      expect(res.body.totals).toEqual([{ currency: 'USD', totalCents: payout, payouts: 1 }]);
      const daily = await t.http.get('/api/billing/earnings?groupBy=day', { token: asst2.token });
      expect(daily.body.periods[0].period).toBe(new Date().toISOString().slice(0, 10));
      expect((await t.http.get(`/api/billing/earnings?assistantId=${asst1.user.id}`, { token: asst2.token })).status).toBe(404);
      expect((await t.http.get('/api/billing/earnings', { token: orgA.token })).status).toBe(403);
      const byAdmin = await t.http.get(`/api/billing/earnings?assistantId=${asst2.user.id}`, { token: admin.token });
      expect(byAdmin.body.totals).toEqual(res.body.totals);
    });
  });

  describe('invariants', () => {
    it('never double-charges under concurrent duplicate returns and a replayed relay', async () => {
      const assistant = await registerAssistant(t.http, ['data_entry']);
      const task = await submitTask(t.http, orgA);
      await act(t.http, assistant, task.id, 'claim');
      await act(t.http, assistant, task.id, 'start');
      const returns = await Promise.all(Array.from({ length: 8 }, () => act(t.http, assistant, task.id, 'return', { result: 'done' })));
      expect(returns.filter((r) => r.status === 200)).toHaveLength(1);
      expect(returns.filter((r) => r.status !== 200).every((r) => r.status === 409)).toBe(true);
      // A retried job or relay re-running the billing insert is absorbed by the unique indexes.
      await t.db.query(
        `INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency)
         SELECT id, organization_id, assignee_id, 'charge', price_cents, currency FROM tasks WHERE id = $1 ON CONFLICT DO NOTHING`,
        [task.id],
      );
      await expect(
        t.db.query(
          `INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency)
           SELECT id, organization_id, assignee_id, 'payout', 1, currency FROM tasks WHERE id = $1`,
          [task.id],
        ),
      ).rejects.toThrow(/ledger_one_payout_per_task/);
      const { rows } = await t.db.query(`SELECT kind, count(*)::int AS n FROM ledger_entries WHERE task_id = $1 GROUP BY kind ORDER BY kind`, [task.id]);
      expect(rows).toEqual([
        { kind: 'charge', n: 1 },
        { kind: 'payout', n: 1 },
      ]);
    });

    it('refuses UPDATE, DELETE and TRUNCATE on the ledger in the database itself', async () => {
      await expect(t.db.query(`UPDATE ledger_entries SET amount_cents = 0`)).rejects.toThrow(/append-only/);
      await expect(t.db.query(`DELETE FROM ledger_entries`)).rejects.toThrow(/append-only/);
      await expect(t.db.query(`TRUNCATE ledger_entries`)).rejects.toThrow(/append-only/);
      await expect(
        t.db.query(
          `INSERT INTO ledger_entries (task_id, organization_id, kind, amount_cents, currency, created_by, reason)
           SELECT id, organization_id, 'refund', -5, currency, $2, 'negative refund' FROM tasks WHERE id = $1`,
          [taskA.id, admin.user.id],
        ),
      ).rejects.toThrow(/ledger_amount_sign/);
      await expect(
        t.db.query(`INSERT INTO ledger_entries (task_id, organization_id, kind, amount_cents, currency) SELECT id, organization_id, 'refund', 5, currency FROM tasks WHERE id = $1`, [taskA.id]),
      ).rejects.toThrow(/ledger_correction_has_reason/);
    });

    it('holds across everything this file did: one charge per on-time task, fee to the cent, refunds within the charge', async () => {
      await checkLedgerInvariants(t, 2000);
    });
  });
});
