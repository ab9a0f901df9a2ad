import { ACTIVE_ASSIGNMENT_STATUSES, splitPrice } from '@handoff/contracts';
import type { TestApp } from './test-app.js';

/** The money rules of DESIGN.md, checked straight against the database. */
export async function checkLedgerInvariants(t: TestApp, feeBps: number): Promise<void> {
  const { rows: dupes } = await t.db.query(`SELECT task_id, kind FROM ledger_entries WHERE kind IN ('charge', 'payout') GROUP BY 1, 2 HAVING count(*) > 1`);
  expect(dupes).toEqual([]);
  const { rows: sums } = await t.db.query(
    `SELECT (SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries WHERE kind = 'charge')::bigint AS charged,
            (SELECT coalesce(sum(price_cents), 0) FROM tasks WHERE on_time)::bigint AS on_time_prices`,
  );
  expect(Number(sums[0].charged)).toBe(Number(sums[0].on_time_prices));
  const { rows: perTask } = await t.db.query(
    `SELECT t.id, t.price_cents, t.on_time,
            sum(l.amount_cents) FILTER (WHERE l.kind = 'charge')::int AS charge,
            sum(l.amount_cents) FILTER (WHERE l.kind = 'payout')::int AS payout,
            coalesce(sum(l.amount_cents) FILTER (WHERE l.kind = 'refund'), 0)::int AS refunded,
            count(l.id) FILTER (WHERE l.kind IN ('refund', 'adjustment'))::int AS corrections
       FROM tasks t LEFT JOIN ledger_entries l ON l.task_id = t.id GROUP BY t.id`,
  );
  for (const r of perTask) {
    if (r.on_time) {
      expect(r.charge).toBe(r.price_cents);
      expect(r.charge - r.payout).toBe(splitPrice(r.price_cents, feeBps).feeCents);
      expect(r.refunded).toBeLessThanOrEqual(r.charge);
    } else {
      // Late or not yet returned: never billed, so nothing to correct either.
      expect([r.charge, r.payout, r.corrections]).toEqual([null, null, 0]);
    }
  }
}

/** Each user's `active_tasks` (kept by a trigger) against a count of what they hold. */
export async function checkActiveCounts(t: TestApp): Promise<void> {
  const { rows } = await t.db.query(
    `SELECT u.id, u.active_tasks, count(x.id)::int AS held
       FROM users u LEFT JOIN tasks x ON x.assignee_id = u.id AND x.status = ANY($1::task_status[])
      GROUP BY u.id HAVING u.active_tasks <> count(x.id)`,
    [ACTIVE_ASSIGNMENT_STATUSES],
  );
  expect(rows).toEqual([]);
}
