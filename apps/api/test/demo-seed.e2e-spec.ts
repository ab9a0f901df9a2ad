import { PRIORITIES, TASK_STATUSES, priceFor, splitPrice, type AuthResponse, type Priority, type TaskView } from '@handoff/contracts';
import { runCommand } from '../src/database/commands.js';
import { createDataSource } from '../src/database/data-source.js';
import { DEMO_TASKS, DEMO_TITLE_PREFIX, seedDemoWork } from '../src/database/demo-work.js';
import { DEMO_ORGANIZATIONS, DEMO_PASSWORD } from '../src/database/seed.js';
import { DUE_TIMERS_SQL } from '../src/tasks/tasks.repository.js';
import { checkActiveCounts, checkLedgerInvariants } from './support/ledger.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const DAY = 86_400_000;

async function counts(t: TestApp): Promise<Record<string, number>> {
  const tables = ['organizations', 'users', 'tasks', 'task_events', 'ledger_entries', 'outbox'];
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
  return out;
}

describe('the demo seed: `cli.js demo`, for npm start', () => {
  let t: TestApp;
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is in no test database, and `setup` (the browser tests, the bench) writes people but no work', async () => {
    expect((await counts(t)).tasks).toBe(0);
    await runCommand('setup', t.config, log);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = ANY($1::text[])`, [DEMO_ORGANIZATIONS.map((o) => o.client.email)]);
    expect(rows[0].n).toBe(2);
    expect((await counts(t)).tasks).toBe(0);
  });

  it('writes the work once, even when two starts race, and a later start adds nothing', async () => {
    const ds = createDataSource(t.config);
    await ds.initialize();
    try {
      const results = await Promise.all([seedDemoWork(ds, t.config), seedDemoWork(ds, t.config)]);
      expect(results.filter((r) => r === null)).toHaveLength(1);
      expect(results.find((r) => r !== null)?.tasks).toBe(DEMO_TASKS.length);
    } finally {
      await ds.destroy();
    }
    const before = await counts(t);
    expect(before.tasks).toBe(DEMO_TASKS.length);
    await runCommand('demo', t.config, log);
    expect(lines).toContain("the demo's work is already there; nothing added");
    expect(await counts(t)).toEqual(before);
  });

  it('has every state in both organizations, each task named as demo data', async () => {
    const { rows } = await t.db.query(
      `SELECT o.name, array_agg(DISTINCT t.status::text) AS statuses, bool_and(t.title LIKE $1 || '%') AS named
         FROM tasks t JOIN organizations o ON o.id = t.organization_id GROUP BY o.name ORDER BY o.name`,
      [DEMO_TITLE_PREFIX],
    );
    expect(rows.map((r) => r.name)).toEqual(DEMO_ORGANIZATIONS.map((o) => o.name).sort());
    for (const r of rows) {
      expect([...r.statuses].sort()).toEqual([...TASK_STATUSES].sort());
      expect(r.named).toBe(true);
    }
    // The flags and detours a real few weeks have: escalated, overdue, a revision, an expired claim, a review-window acceptance.
    const { rows: flags } = await t.db.query(
      `SELECT bool_or(escalated AND status = 'queued') AS escalated, bool_or(overdue AND status = 'in_progress') AS overdue FROM tasks`,
    );
    expect(flags[0]).toEqual({ escalated: true, overdue: true });
    const { rows: actions } = await t.db.query(`SELECT array_agg(DISTINCT action) AS actions FROM task_events`);
    expect(actions[0].actions).toEqual(expect.arrayContaining(['revise', 'expire', 'auto_accept', 'cancel', 'escalate', 'overdue']));
  });

  it('bills only first returns on time, at the moment of the return, by the ledger rules', async () => {
    await checkLedgerInvariants(t, t.config.platformFeeBps);
    const { rows } = await t.db.query(
      `SELECT t.id, t.on_time, t.price_cents,
              (SELECT min(created_at) FROM task_events e WHERE e.task_id = t.id AND e.action = 'return') AS first_return,
              (SELECT count(*)::int FROM task_events e WHERE e.task_id = t.id AND e.action = 'return') AS returns,
              coalesce(json_agg(json_build_object('kind', l.kind, 'amount', l.amount_cents, 'at', l.created_at)) FILTER (WHERE l.id IS NOT NULL), '[]') AS entries
         FROM tasks t LEFT JOIN ledger_entries l ON l.task_id = t.id GROUP BY t.id`,
    );
    const late = rows.filter((r) => r.on_time === false);
    expect(late).toHaveLength(1);
    expect(late[0].entries).toEqual([]);
    const billed = rows.filter((r) => r.on_time);
    expect(billed.length).toBeGreaterThanOrEqual(15);
    for (const r of billed) {
      const { feeCents, payoutCents } = splitPrice(r.price_cents, t.config.platformFeeBps);
      const at = new Date(r.first_return).toISOString();
      expect([...r.entries].sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
        { kind: 'charge', amount: r.price_cents, at: expect.any(String) },
        { kind: 'payout', amount: payoutCents, at: expect.any(String) },
      ]);
      expect(r.price_cents - payoutCents).toBe(feeCents);
      for (const e of r.entries) expect(new Date(e.at).toISOString()).toBe(at);
    }
    // The revised task came back twice and was billed once.
    expect(billed.some((r) => r.returns === 2)).toBe(true);
    // A few weeks of billing, all of it in the past.
    const times = billed.map((r) => new Date(r.first_return).getTime());
    expect(Math.max(...times)).toBeLessThan(Date.now());
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(21 * DAY);
    const { rows: sums } = await t.db.query(
      `SELECT (SELECT sum(amount_cents) FROM ledger_entries WHERE kind = 'charge')::int AS charged,
              (SELECT sum(price_cents) FROM tasks WHERE on_time)::int AS prices`,
    );
    expect(sums[0].charged).toBe(sums[0].prices);
  });

  it('prices each task from the rate card at its submitted priority', async () => {
    const { rows } = await t.db.query(
      `SELECT t.priority, t.escalated, t.price_cents, r.base_price_cents FROM tasks t JOIN rate_card r ON r.category = t.category`,
    );
    expect(rows).toHaveLength(DEMO_TASKS.length);
    for (const r of rows) {
      // Escalation raised the priority a step; the price stayed what submission fixed.
      const submitted: Priority = r.escalated ? PRIORITIES[PRIORITIES.indexOf(r.priority) - 1]! : r.priority;
      expect(r.price_cents).toBe(priceFor(r.base_price_cents, submitted));
    }
  });

  it('keeps a history of every step, in order, over the past weeks, ending in the state the task is in', async () => {
    const { rows } = await t.db.query(
      `SELECT t.id, t.status, t.version, t.created_at, t.updated_at,
              json_agg(json_build_object('action', e.action, 'from', e.from_status, 'to', e.to_status, 'at', e.created_at) ORDER BY e.created_at, e.id) AS events
         FROM tasks t JOIN task_events e ON e.task_id = t.id GROUP BY t.id`,
    );
    expect(rows).toHaveLength(DEMO_TASKS.length);
    const now = Date.now();
    for (const r of rows) {
      const events = r.events as { action: string; from: string | null; to: string; at: string }[];
      expect(events[0]).toMatchObject({ action: 'submit', from: null, to: 'queued' });
      expect(new Date(events[0]!.at).getTime()).toBe(new Date(r.created_at).getTime());
      for (let i = 1; i < events.length; i++) {
        expect(events[i]!.from).toBe(events[i - 1]!.to);
        expect(new Date(events[i]!.at).getTime()).toBeGreaterThan(new Date(events[i - 1]!.at).getTime());
      }
      expect(events.at(-1)!.to).toBe(r.status);
      expect(new Date(events.at(-1)!.at).getTime()).toBe(new Date(r.updated_at).getTime());
      // One version per move, as the API counts them.
      expect(r.version).toBe(events.length);
      for (const e of events) {
        expect(new Date(e.at).getTime()).toBeLessThan(now);
        expect(new Date(e.at).getTime()).toBeGreaterThan(now - 35 * DAY);
      }
    }
  });

  it('leaves nothing the timers should already have done, nothing to relay, and true active counts', async () => {
    const due = await t.db.query(DUE_TIMERS_SQL, [new Date(), t.config.claimWindowMs, t.config.reviewWindowMs, t.config.reviewReminderLeadMs]);
    expect(due.rows).toEqual([]);
    expect((await counts(t)).outbox).toBe(0);
    await checkActiveCounts(t);
    const { rows } = await t.db.query(`SELECT max(active_tasks) AS most, min(max_concurrent_tasks) AS cap FROM users WHERE role = 'assistant'`);
    expect(rows[0].most).toBeLessThanOrEqual(rows[0].cap);
  });

  it('is what the demo client sees through the API', async () => {
    const login = await t.http.post<AuthResponse>('/api/auth/login', { email: DEMO_ORGANIZATIONS[0].client.email, password: DEMO_PASSWORD });
    expect(login.status).toBe(200);
    const token = login.body.accessToken;
    const list = await t.http.get<{ items: TaskView[] }>('/api/tasks?limit=100', { token });
    expect(list.status).toBe(200);
    expect(new Set(list.body.items.map((x) => x.status))).toEqual(new Set(TASK_STATUSES));
    expect(list.body.items.every((x) => x.organizationId === login.body.user.organizationId)).toBe(true);

    const month = new Date().toISOString().slice(0, 7);
    const statement = await t.http.get(`/api/billing/statement?month=${month}`, { token });
    expect(statement.status).toBe(200);
    const { rows } = await t.db.query(
      `SELECT coalesce(sum(amount_cents), 0)::int AS charged FROM ledger_entries
        WHERE kind = 'charge' AND organization_id = $1 AND to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM') = $2`,
      [login.body.user.organizationId, month],
    );
    expect(statement.body.totals.reduce((s: number, x: { chargedCents: number }) => s + x.chargedCents, 0)).toBe(rows[0].charged);
  });

  it('gives each demo organization its time zone and the starter templates, Month-end bookkeeping among them', async () => {
    for (const org of DEMO_ORGANIZATIONS) {
      const login = await t.http.post<AuthResponse>('/api/auth/login', { email: org.client.email, password: DEMO_PASSWORD });
      const token = login.body.accessToken;
      const settings = await t.http.get(`/api/organizations/${login.body.user.organizationId}/settings`, { token });
      expect([settings.status, settings.body.timeZone]).toEqual([200, org.timeZone]);
      const starters = await t.http.get<{ items: { name: string; category: string }[] }>('/api/templates?scope=starter&category=bookkeeping', { token });
      expect(starters.body.items.map((x) => x.name)).toEqual(['Month-end bookkeeping']);
    }
  });
});
