import fc from 'fast-check';
import type pg from 'pg';
import { EARNINGS_SQL, STATEMENT_TOTALS_SQL, SUMMARY_DAYS_SQL, SUMMARY_ORGANIZATIONS_SQL } from '../src/billing/ledger-rollups.repository.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import type { Res } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The rollup-based period reads against the plain aggregates over the rows
// they replace, for random ledgers (written by concurrent transactions, at
// random instants around UTC midnights) and random periods, whole days and
// partial ones. Both sides run in one REPEATABLE READ snapshot while other
// writers commit, so a rollup that lagged its rows would show.

const PLAIN_ORGANIZATIONS = `WITH l AS (
    SELECT organization_id, currency,
           count(*) FILTER (WHERE kind = 'charge')::int AS tasks_billed,
           coalesce(sum(amount_cents) FILTER (WHERE kind = 'charge'), 0) AS charged,
           coalesce(sum(amount_cents) FILTER (WHERE kind = 'payout'), 0) AS paid_out,
           coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0) AS refunded,
           coalesce(sum(amount_cents) FILTER (WHERE kind = 'adjustment'), 0) AS adjusted
      FROM ledger_entries WHERE created_at >= $1 AND created_at < $2
     GROUP BY organization_id, currency),
  late AS (
    SELECT organization_id, currency, count(*)::int AS late_tasks
      FROM tasks WHERE on_time = false AND returned_at >= $1 AND returned_at < $2
     GROUP BY organization_id, currency)
  SELECT o.id AS "organizationId", o.name AS "organizationName", coalesce(l.currency, late.currency)::text AS currency,
         coalesce(l.tasks_billed, 0) AS "tasksBilled", coalesce(l.charged, 0) AS "chargedCents",
         coalesce(l.paid_out, 0) AS "paidOutCents", coalesce(l.charged, 0) - coalesce(l.paid_out, 0) AS "feeCents",
         coalesce(l.refunded, 0) AS "refundedCents", coalesce(l.adjusted, 0) AS "adjustedCents",
         coalesce(late.late_tasks, 0) AS "lateTasks"
    FROM l FULL JOIN late ON late.organization_id = l.organization_id AND late.currency = l.currency
    JOIN organizations o ON o.id = coalesce(l.organization_id, late.organization_id)
   ORDER BY "chargedCents" DESC, o.name, o.id`;

const PLAIN_DAYS = `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, currency::text AS currency,
         coalesce(sum(amount_cents) FILTER (WHERE kind = 'charge'), 0) AS "chargedCents",
         coalesce(sum(amount_cents) FILTER (WHERE kind = 'payout'), 0) AS "paidOutCents"
    FROM ledger_entries WHERE created_at >= $1 AND created_at < $2 AND kind IN ('charge', 'payout')
   GROUP BY 1, 2 ORDER BY 1, 2`;

const PLAIN_STATEMENT = `SELECT currency::text AS currency,
         coalesce(sum(amount_cents) FILTER (WHERE kind = 'charge'), 0) AS "chargedCents",
         coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0) AS "refundedCents",
         coalesce(sum(amount_cents) FILTER (WHERE kind = 'adjustment'), 0) AS "adjustedCents",
         coalesce(sum(CASE kind WHEN 'refund' THEN -amount_cents ELSE amount_cents END), 0) AS "totalCents",
         count(*) FILTER (WHERE kind = 'charge')::int AS "tasksBilled"
    FROM ledger_entries WHERE organization_id = $1 AND kind <> 'payout' AND created_at >= $2 AND created_at < $3
   GROUP BY currency ORDER BY currency`;

const PLAIN_EARNINGS = `SELECT to_char(created_at AT TIME ZONE 'UTC', $4) AS period, currency::text AS currency,
         sum(amount_cents) AS "totalCents", count(*)::int AS payouts
    FROM ledger_entries WHERE kind = 'payout' AND assistant_id = $3
     AND ($1::timestamptz IS NULL OR created_at >= $1) AND ($2::timestamptz IS NULL OR created_at < $2)
   GROUP BY 1, 2 ORDER BY 1 DESC, 2`;

/** Midnight UTC of the base day, a few days back, and instants around it. */
const BASE = Date.UTC(2031, 4, 10);
const HOUR = 3_600_000;
const instant = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map((d) => new Date(BASE + d * 24 * HOUR)),
  fc.integer({ min: -3 * 24 * HOUR, max: 3 * 24 * HOUR }).map((ms) => new Date(BASE + ms)),
  fc.integer({ min: -3, max: 3 }).chain((d) => fc.constantFrom(-1, 1).map((s) => new Date(BASE + d * 24 * HOUR + s))),
);
/** A period as text, so microsecond bounds are tried too. */
const bound = fc.oneof(
  instant.map((d) => d.toISOString()),
  instant.map((d) => d.toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1001Z')),
);

interface Write {
  org: number;
  assistant: number;
  at: Date;
  price: number;
  /** A refund, then an adjustment, of this task later (0: none). */
  refund: number;
  adjust: number;
  correctionAt: Date;
  /** Returned late instead: no ledger rows, one late count, maybe a second late return. */
  late: boolean;
  lateAgain: Date | null;
}

const writeArb: fc.Arbitrary<Write> = fc.record({
  org: fc.nat(2),
  assistant: fc.nat(2),
  at: instant,
  price: fc.integer({ min: 0, max: 5000 }),
  refund: fc.integer({ min: 0, max: 100 }),
  adjust: fc.integer({ min: -100, max: 100 }),
  correctionAt: instant,
  late: fc.boolean(),
  lateAgain: fc.option(instant, { nil: null }),
});

describe('billing rollups: equal to the plain aggregates', () => {
  let t: TestApp;
  let admin: Session;
  let orgs: Session[];
  let assistants: Session[];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    orgs = await Promise.all([0, 1, 2].map(() => registerClient(t.http)));
    assistants = await Promise.all([0, 1, 2].map(() => registerAssistant(t.http, ['data_entry'])));
  });
  afterAll(() => t.close());

  /**
   * One task's writes, each a transaction of its own as the API commits them: the charge and
   * payout in one statement (as a return writes them), then each correction.
   */
  async function write(c: pg.PoolClient, w: Write): Promise<void> {
    const client = orgs[w.org]!;
    const assistantId = assistants[w.assistant]!.user.id;
    const { rows } = await c.query(
      `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency)
       VALUES ($1, $2, 'rollup', 'rollup', 'data_entry', 'normal', now() + interval '1 day', $3, 'USD') RETURNING id`,
      [client.user.organizationId, client.user.id, w.price],
    );
    const taskId = rows[0].id as string;
    if (w.late) {
      await c.query(`UPDATE tasks SET on_time = false, returned_at = $2 WHERE id = $1`, [taskId, w.at]);
      if (w.lateAgain) await c.query(`UPDATE tasks SET returned_at = $2 WHERE id = $1`, [taskId, w.lateAgain]);
    } else {
      const payout = w.price - Math.floor((w.price * 2000 + 5000) / 10000);
      await c.query(
        `INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency, created_at)
         VALUES ($1, $2, $3, 'charge', $4, 'USD', $6), ($1, $2, $3, 'payout', $5, 'USD', $6)`,
        [taskId, client.user.organizationId, assistantId, w.price, payout, w.at],
      );
      const refund = Math.floor((w.price * w.refund) / 100);
      if (refund > 0) await correct(c, taskId, client, assistantId, 'refund', refund, w.correctionAt);
      const adjust = Math.floor(((w.price - refund) * w.adjust) / 100);
      if (adjust !== 0) await correct(c, taskId, client, assistantId, 'adjustment', adjust, w.correctionAt);
    }
  }

  async function correct(c: pg.PoolClient, taskId: string, client: Session, assistantId: string, kind: string, cents: number, at: Date) {
    await c.query(
      `INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency, created_at, created_by, reason)
       VALUES ($1, $2, $3, $4::ledger_kind, $5, 'USD', $6, $7, 'rollup check')`,
      [taskId, client.user.organizationId, assistantId, kind, cents, at, admin.user.id],
    );
  }

  /** Both sides of every read, in one snapshot. */
  async function compare(c: pg.PoolClient, from: string, to: string, groupBy: 'YYYY-MM' | 'YYYY-MM-DD'): Promise<void> {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const both = async (a: string, b: string, params: unknown[]) => {
        const [x, y] = [(await c.query(a, params)).rows, (await c.query(b, params)).rows];
        expect({ sql: a.slice(0, 40), params, rows: x }).toEqual({ sql: a.slice(0, 40), params, rows: y });
      };
      await both(SUMMARY_ORGANIZATIONS_SQL, PLAIN_ORGANIZATIONS, [from, to]);
      await both(SUMMARY_DAYS_SQL, PLAIN_DAYS, [from, to]);
      // A statement covers whole days (a month): its bounds are midnights.
      const [dayFrom, dayTo] = [from, to].map((b) => `${b.slice(0, 10)}T00:00:00Z`);
      for (const o of orgs) await both(STATEMENT_TOTALS_SQL, PLAIN_STATEMENT, [o.user.organizationId, dayFrom, dayTo]);
      for (const a of assistants) {
        await both(EARNINGS_SQL, PLAIN_EARNINGS, [from, to, a.user.id, groupBy]);
        await both(EARNINGS_SQL, PLAIN_EARNINGS, [null, to, a.user.id, groupBy]);
        await both(EARNINGS_SQL, PLAIN_EARNINGS, [from, null, a.user.id, groupBy]);
        await both(EARNINGS_SQL, PLAIN_EARNINGS, [null, null, a.user.id, groupBy]);
      }
    } finally {
      await c.query('ROLLBACK');
    }
  }

  it('answers what the rows answer, for any ledger and period, while writers commit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(writeArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(bound, bound), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('YYYY-MM' as const, 'YYYY-MM-DD' as const),
        async (writers, periods, groupBy) => {
          const clients = await Promise.all(writers.map(() => t.db.connect()));
          const reader = await t.db.connect();
          try {
            // The writers commit while the reader compares its snapshots.
            const writing = Promise.all(writers.map(async (ws, i) => {
              for (const w of ws) await write(clients[i]!, w);
            }));
            for (const [a, b] of periods) await compare(reader, a < b ? a : b, a < b ? b : a, groupBy);
            await writing;
            for (const [a, b] of periods) await compare(reader, a < b ? a : b, a < b ? b : a, groupBy);
          } finally {
            for (const c of [...clients, reader]) c.release();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 300_000);

  it('keeps the rollups equal to a rebuild from the rows', async () => {
    const snapshot = async () =>
      (
        await t.db.query(`SELECT (SELECT jsonb_agg(d ORDER BY day, organization_id, currency) FROM ledger_daily d) AS ledger,
                                 (SELECT jsonb_agg(d ORDER BY assistant_id, day, currency) FROM ledger_assistant_daily d) AS assistants,
                                 (SELECT jsonb_agg(d ORDER BY day, organization_id, currency) FROM task_late_daily d WHERE late > 0) AS late`)
      ).rows[0];
    const kept = await snapshot();
    expect(kept.ledger).not.toBeNull();
    await t.db.query(`SELECT handoff_rebuild_ledger_rollups()`);
    expect(await snapshot()).toEqual(kept);
  });

  it('pages a month’s statement lines by cursor, every line once, with the whole month’s totals on each page', async () => {
    const org = orgs[0]!;
    const month = '2031-05';
    const { rows: expected } = await t.db.query(
      `SELECT id FROM ledger_entries WHERE organization_id = $1 AND kind <> 'payout' AND created_at >= '2031-05-01Z' AND created_at < '2031-06-01Z' ORDER BY created_at, id`,
      [org.user.organizationId],
    );
    expect(expected.length).toBeGreaterThan(2);
    const seen: string[] = [];
    let cursor: string | null = null;
    let totals: unknown = null;
    do {
      const res: Res = await t.http.get(`/api/billing/statement?month=${month}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: org.token });
      expect(res.status).toBe(200);
      expect(res.body.lines.length).toBeLessThanOrEqual(2);
      totals ??= res.body.totals;
      expect(res.body.totals).toEqual(totals);
      seen.push(...res.body.lines.map((l: { id: string }) => l.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected.map((r) => r.id));
    const plain = (await t.db.query(PLAIN_STATEMENT, [org.user.organizationId, '2031-05-01Z', '2031-06-01Z'])).rows;
    expect(totals).toEqual(plain);
  });

  it.each([
    ['limit=0', /^limit must be at least 1/],
    ['limit=201', /^limit must be at most 200/],
    ['cursor=not-a-cursor', /^cursor is invalid/],
  ])('refuses a statement page with %s, naming the field', async (query, message) => {
    const res = await t.http.get(`/api/billing/statement?month=2031-05&${query}`, { token: orgs[0]!.token });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('answers the summary over HTTP from the rollup as the plain aggregate does', async () => {
    const from = new Date(BASE - 2 * 24 * HOUR + 5 * HOUR).toISOString();
    const to = new Date(BASE + 2 * 24 * HOUR - 7 * HOUR).toISOString();
    const res = await t.http.get(`/api/billing/summary?from=${from}&to=${to}`, { token: admin.token });
    expect(res.status).toBe(200);
    const plain = (await t.db.query(PLAIN_ORGANIZATIONS, [from, to])).rows;
    expect(res.body.organizations).toEqual(plain);
  });
});
