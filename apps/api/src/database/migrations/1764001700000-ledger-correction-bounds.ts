import type { MigrationInterface, QueryRunner } from 'typeorm';

// The rule for corrections, held where no writer can skip it: a task's bill
// (charge − refunds + adjustments) never goes below zero. Refunds and
// negative adjustments are the only rows that lower it, so it also keeps
// refunds within the charge plus what positive adjustments added.
//
// The trigger locks the task's charge row, as `BillingService.adjust` does,
// so concurrent corrections of one task take turns; under READ COMMITTED each
// statement after the lock reads what the one before it committed. A
// REPEATABLE READ snapshot would not see it, so corrections are refused
// there; SERIALIZABLE is safe (two corrections that missed each other fail
// to commit). The WHEN clause is checked without calling the function, so
// the charges and payouts a return writes pay nothing for it.
export class LedgerCorrectionBounds1764001700000 implements MigrationInterface {
  name = 'LedgerCorrectionBounds1764001700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION ledger_correction_bounds() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        charged bigint;
        bill bigint;
      BEGIN
        IF current_setting('transaction_isolation') = 'repeatable read' THEN
          RAISE EXCEPTION 'ledger corrections are checked against what other transactions committed: write them under READ COMMITTED or SERIALIZABLE'
            USING ERRCODE = 'invalid_transaction_state';
        END IF;
        SELECT amount_cents INTO charged FROM ledger_entries WHERE task_id = NEW.task_id AND kind = 'charge' FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'task % was never charged, so there is nothing to correct', NEW.task_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_correction_bounds', TABLE = 'ledger_entries';
        END IF;
        SELECT charged + coalesce(sum(CASE WHEN kind = 'refund' THEN -amount_cents ELSE amount_cents END), 0) INTO bill
          FROM ledger_entries WHERE task_id = NEW.task_id AND kind IN ('refund', 'adjustment');
        IF bill < 0 THEN
          RAISE EXCEPTION 'the bill of task % would go below zero (% cents)', NEW.task_id, bill
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_correction_bounds', TABLE = 'ledger_entries';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE CONSTRAINT TRIGGER ledger_correction_bounds AFTER INSERT ON ledger_entries
      FOR EACH ROW WHEN (NEW.kind IN ('refund', 'adjustment')) EXECUTE FUNCTION ledger_correction_bounds()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER ledger_correction_bounds ON ledger_entries`);
    await q.query(`DROP FUNCTION ledger_correction_bounds`);
  }
}
