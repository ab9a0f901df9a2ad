import { ACTIVE_ASSIGNMENT_STATUSES, splitPrice, type TaskView } from '@handoff/contracts';
import type { Session } from './factories.js';
import { act, submitTask } from './tasks.js';
import type { TestApp } from './test-app.js';

/** A task carried to an on-time return, so it is charged; `priceCents` sets its price first. */
export async function chargedTask(t: TestApp, client: Session, assistant: Session, priceCents?: number): Promise<TaskView> {
  const task = await submitTask(t.http, client);
  for (const action of ['claim', 'start'] as const) {
    const res = await act(t.http, assistant, task.id, action);
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (priceCents !== undefined) await t.db.query(`UPDATE tasks SET price_cents = $2 WHERE id = $1`, [task.id, priceCents]);
  const res = await act(t.http, assistant, task.id, 'return', { result: 'done' });
  if (res.status !== 200 || !res.body.onTime) throw new Error(`return: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface TaskBill {
  charged: number;
  refunded: number;
  /** The sum of the positive adjustments alone. */
  added: number;
  adjusted: number;
  /** charged − refunded + adjusted */
  net: number;
  corrections: number;
}

/** A task's bill as the ledger holds it. */
export async function taskBill(t: TestApp, taskId: string): Promise<TaskBill> {
  const { rows } = await t.db.query(
    `SELECT coalesce(sum(amount_cents) FILTER (WHERE kind = 'charge'), 0)::int AS charged,
            coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0)::int AS refunded,
            coalesce(sum(amount_cents) FILTER (WHERE kind = 'adjustment' AND amount_cents > 0), 0)::int AS added,
            coalesce(sum(amount_cents) FILTER (WHERE kind = 'adjustment'), 0)::int AS adjusted,
            count(*) FILTER (WHERE kind IN ('refund', 'adjustment'))::int AS corrections
       FROM ledger_entries WHERE task_id = $1`,
    [taskId],
  );
  const r = rows[0];
  return { ...r, net: r.charged - r.refunded + r.adjusted };
}

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
            coalesce(sum(l.amount_cents) FILTER (WHERE l.kind = 'adjustment' AND l.amount_cents > 0), 0)::int AS added,
            coalesce(sum(l.amount_cents) FILTER (WHERE l.kind = 'adjustment'), 0)::int AS adjusted,
            count(l.id) FILTER (WHERE l.kind IN ('refund', 'adjustment'))::int AS corrections
       FROM tasks t LEFT JOIN ledger_entries l ON l.task_id = t.id GROUP BY t.id`,
  );
  for (const r of perTask) {
    if (r.on_time) {
      expect(r.charge).toBe(r.price_cents);
      expect(r.charge - r.payout).toBe(splitPrice(r.price_cents, feeBps).feeCents);
      // The one rule for corrections: the task's bill never goes below zero, so refunds
      // never exceed the charge plus what positive adjustments added.
      expect(r.charge - r.refunded + r.adjusted).toBeGreaterThanOrEqual(0);
      expect(r.refunded).toBeLessThanOrEqual(r.charge + r.added);
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
