import type { MigrationInterface, QueryRunner } from 'typeorm';

// Per-UTC-day totals that the billing summary, the statement and an
// assistant's earnings read instead of every entry of their period
// (docs/PERFORMANCE.md#ledger-rollups). They are written by triggers in the
// transaction of the write they count, so a reader's snapshot sees a rollup
// that agrees with the rows beside it:
// - ledger_daily and ledger_assistant_daily, by one statement-level trigger
//   on ledger_entries (the return's charge and payout arrive together in its
//   transition table: one upsert per statement, not one per row);
// - task_late_daily, the late returns per day, by row triggers on tasks whose
//   WHEN clauses let every other transition pass without calling a function.
//   A task returned late again after a revision moves to its new day.
// handoff_rebuild_rollups() recomputes all three from the rows (the backfill
// here; a bulk load that skips triggers calls it too).
export class LedgerRollups1764002800000 implements MigrationInterface {
  name = 'LedgerRollups1764002800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ledger_daily (
      day date NOT NULL,
      organization_id uuid NOT NULL,
      currency char(3) NOT NULL,
      charges int NOT NULL,
      payouts int NOT NULL,
      refunds int NOT NULL,
      adjustments int NOT NULL,
      charged bigint NOT NULL,
      paid_out bigint NOT NULL,
      refunded bigint NOT NULL,
      adjusted bigint NOT NULL,
      PRIMARY KEY (day, organization_id, currency))`);
    await q.query(`CREATE INDEX ledger_daily_org_idx ON ledger_daily (organization_id, day)`);
    await q.query(`CREATE TABLE ledger_assistant_daily (
      assistant_id uuid NOT NULL,
      day date NOT NULL,
      currency char(3) NOT NULL,
      payouts int NOT NULL,
      paid_out bigint NOT NULL,
      PRIMARY KEY (assistant_id, day, currency))`);
    await q.query(`CREATE TABLE task_late_daily (
      day date NOT NULL,
      organization_id uuid NOT NULL,
      currency char(3) NOT NULL,
      late int NOT NULL,
      PRIMARY KEY (day, organization_id, currency))`);

    // Keys in a fixed order, so two statements upserting overlapping days lock them in the same order.
    await q.query(`CREATE FUNCTION handoff_ledger_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ledger_daily AS d (day, organization_id, currency, charges, payouts, refunds, adjustments, charged, paid_out, refunded, adjusted)
        SELECT (created_at AT TIME ZONE 'UTC')::date, organization_id, currency,
               count(*) FILTER (WHERE kind = 'charge'), count(*) FILTER (WHERE kind = 'payout'),
               count(*) FILTER (WHERE kind = 'refund'), count(*) FILTER (WHERE kind = 'adjustment'),
               coalesce(sum(amount_cents) FILTER (WHERE kind = 'charge'), 0), coalesce(sum(amount_cents) FILTER (WHERE kind = 'payout'), 0),
               coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0), coalesce(sum(amount_cents) FILTER (WHERE kind = 'adjustment'), 0)
          FROM new_entries GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (day, organization_id, currency) DO UPDATE SET
          charges = d.charges + EXCLUDED.charges, payouts = d.payouts + EXCLUDED.payouts,
          refunds = d.refunds + EXCLUDED.refunds, adjustments = d.adjustments + EXCLUDED.adjustments,
          charged = d.charged + EXCLUDED.charged, paid_out = d.paid_out + EXCLUDED.paid_out,
          refunded = d.refunded + EXCLUDED.refunded, adjusted = d.adjusted + EXCLUDED.adjusted;
        INSERT INTO ledger_assistant_daily AS d (assistant_id, day, currency, payouts, paid_out)
        SELECT assistant_id, (created_at AT TIME ZONE 'UTC')::date, currency, count(*), sum(amount_cents)
          FROM new_entries WHERE kind = 'payout' AND assistant_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (assistant_id, day, currency) DO UPDATE SET payouts = d.payouts + EXCLUDED.payouts, paid_out = d.paid_out + EXCLUDED.paid_out;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER ledger_rollup AFTER INSERT ON ledger_entries
      REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION handoff_ledger_rollup()`);

    // on_time = false implies returned_at is set (tasks_on_time_fixed_at_return).
    await q.query(`CREATE FUNCTION handoff_late_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' AND OLD.on_time = false THEN
          UPDATE task_late_daily SET late = late - 1
           WHERE day = (OLD.returned_at AT TIME ZONE 'UTC')::date AND organization_id = OLD.organization_id AND currency = OLD.currency;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.on_time = false THEN
          INSERT INTO task_late_daily AS d (day, organization_id, currency, late)
          VALUES ((NEW.returned_at AT TIME ZONE 'UTC')::date, NEW.organization_id, NEW.currency, 1)
          ON CONFLICT (day, organization_id, currency) DO UPDATE SET late = d.late + 1;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tasks_late_rollup_insert AFTER INSERT ON tasks
      FOR EACH ROW WHEN (NEW.on_time = false) EXECUTE FUNCTION handoff_late_rollup()`);
    await q.query(`CREATE TRIGGER tasks_late_rollup_update AFTER UPDATE OF on_time, returned_at, organization_id, currency ON tasks
      FOR EACH ROW WHEN ((OLD.on_time = false OR NEW.on_time = false) AND (OLD.returned_at IS DISTINCT FROM NEW.returned_at
        OR OLD.on_time IS DISTINCT FROM NEW.on_time OR OLD.organization_id <> NEW.organization_id OR OLD.currency <> NEW.currency))
      EXECUTE FUNCTION handoff_late_rollup()`);
    await q.query(`CREATE TRIGGER tasks_late_rollup_delete AFTER DELETE ON tasks
      FOR EACH ROW WHEN (OLD.on_time = false) EXECUTE FUNCTION handoff_late_rollup()`);

    await q.query(`CREATE FUNCTION handoff_rebuild_ledger_rollups() RETURNS void LANGUAGE sql AS $$
      DELETE FROM ledger_daily;
      INSERT INTO ledger_daily (day, organization_id, currency, charges, payouts, refunds, adjustments, charged, paid_out, refunded, adjusted)
      SELECT (created_at AT TIME ZONE 'UTC')::date, organization_id, currency,
             count(*) FILTER (WHERE kind = 'charge'), count(*) FILTER (WHERE kind = 'payout'),
             count(*) FILTER (WHERE kind = 'refund'), count(*) FILTER (WHERE kind = 'adjustment'),
             coalesce(sum(amount_cents) FILTER (WHERE kind = 'charge'), 0), coalesce(sum(amount_cents) FILTER (WHERE kind = 'payout'), 0),
             coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0), coalesce(sum(amount_cents) FILTER (WHERE kind = 'adjustment'), 0)
        FROM ledger_entries GROUP BY 1, 2, 3;
      DELETE FROM ledger_assistant_daily;
      INSERT INTO ledger_assistant_daily (assistant_id, day, currency, payouts, paid_out)
      SELECT assistant_id, (created_at AT TIME ZONE 'UTC')::date, currency, count(*), sum(amount_cents)
        FROM ledger_entries WHERE kind = 'payout' AND assistant_id IS NOT NULL GROUP BY 1, 2, 3;
      DELETE FROM task_late_daily;
      INSERT INTO task_late_daily (day, organization_id, currency, late)
      SELECT (returned_at AT TIME ZONE 'UTC')::date, organization_id, currency, count(*)
        FROM tasks WHERE on_time = false GROUP BY 1, 2, 3;
    $$`);
    // No writer may slip between the backfill and the triggers: hold writes to both tables until commit.
    await q.query(`LOCK TABLE ledger_entries, tasks IN SHARE MODE`);
    await q.query(`SELECT handoff_rebuild_ledger_rollups()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION handoff_rebuild_ledger_rollups()`);
    await q.query(`DROP TRIGGER tasks_late_rollup_delete ON tasks`);
    await q.query(`DROP TRIGGER tasks_late_rollup_update ON tasks`);
    await q.query(`DROP TRIGGER tasks_late_rollup_insert ON tasks`);
    await q.query(`DROP FUNCTION handoff_late_rollup()`);
    await q.query(`DROP TRIGGER ledger_rollup ON ledger_entries`);
    await q.query(`DROP FUNCTION handoff_ledger_rollup()`);
    await q.query(`DROP TABLE task_late_daily`);
    await q.query(`DROP TABLE ledger_assistant_daily`);
    await q.query(`DROP TABLE ledger_daily`);
  }
}
