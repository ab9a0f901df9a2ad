import { formatMoney, type BillingSummary, type Statement, type TaskView } from '@handoff/contracts';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { pdfTextRuns } from './support/pdf.js';
import { act, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The CSV's records as objects; these lines hold no quoted cells. */
function parse(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trimEnd().split('\r\n').map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
}

const money = (cents: number, currency = 'USD') => formatMoney(cents, currency, 'en-US');
const thisMonth = () => new Date().toISOString().slice(0, 7);

describe('a month’s statement as CSV and PDF', () => {
  let t: TestApp;
  let admin: Session;
  let a: Session;
  let b: Session;
  let bulk: Session;
  let x: Session;
  const done: TaskView[] = [];

  const download = async (s: Session, file: 'csv' | 'pdf', query = '') => {
    const res = await fetch(`${t.url}/api/billing/statement.${file}${query}`, { headers: { authorization: `Bearer ${s.token}` } });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  };
  const statementOf = async (s: Session, query = '') => {
    const res = await t.http.get<Statement>(`/api/billing/statement${query}${query ? '&' : '?'}limit=200`, { token: s.token });
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http, { organizationName: 'Statement Co' });
    b = await registerClient(t.http);
    bulk = await registerClient(t.http, { organizationName: 'Many Lines Ltd' });
    x = await registerAssistant(t.http, ['data_entry']);
    await t.db.query(`UPDATE users SET max_concurrent_tasks = 100 WHERE id = $1`, [x.user.id]);
    for (const title of ['Enter March invoices', 'Reconcile the bank feed', 'Late one']) {
      const task = await submitTask(t.http, a, { title });
      expect((await act(t.http, x, task.id, 'claim')).status).toBe(200);
      expect((await act(t.http, x, task.id, 'start')).status).toBe(200);
      if (title === 'Late one') await t.db.query(`UPDATE tasks SET deadline = now() - interval '1 minute' WHERE id = $1`, [task.id]);
      expect((await act(t.http, x, task.id, 'return', { result: 'Done.' })).status).toBe(200);
      done.push(task);
    }
    const correct = (taskId: string, kind: string, amountCents: number) =>
      t.http.post('/api/billing/adjustments', { taskId, kind, amountCents, reason: 'Statement test' }, { token: admin.token });
    expect((await correct(done[0]!.id, 'refund', 125)).status).toBe(201);
    expect((await correct(done[1]!.id, 'adjustment', -30)).status).toBe(201);
    // Enough lines for several pages.
    await t.db.query(
      `WITH made AS (
         INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, status, assignee_id, on_time, claimed_at, started_at, returned_at)
         SELECT $1, $2, 'Bulk line ' || i, 'bulk', 'data_entry', 'normal', now() + interval '1 day', 1000 + i, 'USD', 'returned', $3, true, now(), now(), now()
           FROM generate_series(1, 150) AS i RETURNING id, organization_id, price_cents)
       INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency)
       SELECT id, organization_id, $3, 'charge', price_cents, 'USD' FROM made`,
      [bulk.user.organizationId, bulk.user.id, x.user.id],
    );
  });
  afterAll(() => t?.close());

  it('writes the organization, period, currency, every line and totals equal to the statement’s and the summary’s', async () => {
    const res = await download(a, 'pdf');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="handoff-statement-${thisMonth()}.pdf"`);
    expect(res.body.subarray(0, 5).toString()).toBe('%PDF-');
    const { runs } = pdfTextRuns(res.body);
    expect(runs).toEqual(expect.arrayContaining(['Statement', 'Organization: Statement Co', 'Currency: USD']));
    expect(runs.find((r) => r.startsWith('Period: '))).toMatch(new RegExp(`^Period: ${thisMonth()} \\(${thisMonth()}-01 to ${thisMonth()}-\\d\\d, UTC\\)$`));

    const statement = await statementOf(a);
    // Each line: date, task, kind, amount, in the statement's order; the late task was never charged.
    const head = runs.indexOf('Amount');
    const lines = runs.slice(head + 1, head + 1 + 4 * statement.lines.length);
    expect(statement.lines).toHaveLength(4);
    const kinds = { charge: 'Charge', refund: 'Refund', adjustment: 'Adjustment', payout: 'Payout' };
    expect(lines).toEqual(
      statement.lines.flatMap((l) => [
        l.createdAt.slice(0, 16).replace('T', ' '),
        l.taskTitle,
        kinds[l.kind],
        money(l.kind === 'refund' ? -l.amountCents : l.amountCents),
      ]),
    );
    expect(lines).not.toContain('Late one');

    const totals = statement.totals[0]!;
    const after = (label: string) => runs[runs.indexOf(label) + 1];
    expect(after('Charges')).toBe(money(totals.chargedCents));
    expect(after('Refunds')).toBe(money(-totals.refundedCents));
    expect(after('Adjustments')).toBe(money(totals.adjustedCents));
    expect(after('Net (USD)')).toBe(money(totals.totalCents));
    expect(totals).toMatchObject({ chargedCents: done[0]!.priceCents + done[1]!.priceCents, refundedCents: 125, adjustedCents: -30 });

    const summary = (await t.http.get<BillingSummary>('/api/billing/summary', { token: admin.token })).body;
    const row = summary.organizations.find((o) => o.organizationId === a.user.organizationId)!;
    expect({ charged: row.chargedCents, refunded: row.refundedCents, adjusted: row.adjustedCents }).toEqual({
      charged: totals.chargedCents,
      refunded: totals.refundedCents,
      adjusted: totals.adjustedCents,
    });
  });

  it('gives the same lines and totals as CSV', async () => {
    const res = await download(a, 'csv', `?month=${thisMonth()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="handoff-statement-${thisMonth()}.csv"`);
    const rows = parse(res.body.toString('utf8'));
    const statement = await statementOf(a);
    expect(rows.map((r) => r.id)).toEqual(statement.lines.map((l) => l.id));
    expect(new Set(rows.map((r) => r.organization_id))).toEqual(new Set([a.user.organizationId]));
    const sum = (kind: string) => rows.filter((r) => r.kind === kind).reduce((s, r) => s + Number(r.amount_cents), 0);
    const totals = statement.totals[0]!;
    expect({ charged: sum('charge'), refunded: sum('refund'), adjusted: sum('adjustment') }).toEqual({
      charged: totals.chargedCents,
      refunded: totals.refundedCents,
      adjusted: totals.adjustedCents,
    });
  });

  it('runs a long month over several pages, every line once, the totals exact', async () => {
    const res = await download(admin, 'pdf', `?organizationId=${bulk.user.organizationId}`);
    expect(res.status).toBe(200);
    const { runs, pages } = pdfTextRuns(res.body);
    expect(pages).toBeGreaterThan(2);
    const titles = runs.filter((r) => r.startsWith('Bulk line '));
    expect(titles).toHaveLength(150);
    expect(new Set(titles).size).toBe(150);
    // 1001 + … + 1150
    const charged = 150 * 1000 + (150 * 151) / 2;
    expect(runs[runs.indexOf('Charges') + 1]).toBe(money(charged));
    expect(runs[runs.indexOf('Net (USD)') + 1]).toBe(money(charged));
    expect((await statementOf(admin, `?organizationId=${bulk.user.organizationId}`)).totals[0]!.totalCents).toBe(charged);
  });

  it('says so for a month with nothing in it', async () => {
    const { runs } = pdfTextRuns((await download(a, 'pdf', '?month=2020-01')).body);
    expect(runs).toEqual(expect.arrayContaining(['Currency: none billed', 'No charges, refunds or adjustments this month.']));
    expect(runs).not.toContain('Charges');
    const csv = (await download(a, 'csv', '?month=2020-01')).body.toString('utf8');
    expect(csv.trim().split('\r\n')).toHaveLength(1);
  });

  it.each(['csv', 'pdf'] as const)('%s: another organization 404, an assistant 403, bad input 400', async (file) => {
    expect((await download(b, file, `?organizationId=${a.user.organizationId}`)).status).toBe(404);
    expect((await download(admin, file, '?organizationId=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await download(x, file)).status).toBe(403);
    for (const [query, field] of [
      ['?month=2026-13', 'month'],
      ['?month=26-01', 'month'],
      ['?organizationId=nope', 'organizationId'],
      ['?limit=5', 'limit'],
    ] as const) {
      const res = await download(a, file, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(JSON.parse(res.body.toString()).message).toMatch(field);
    }
    const res = await download(admin, file);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).message).toMatch(/organizationId/);
  });
});
