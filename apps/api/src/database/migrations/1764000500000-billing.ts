import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Billing1764000500000 implements MigrationInterface {
  name = 'Billing1764000500000';

  async up(q: QueryRunner): Promise<void> {
    // The summary's "late, not billed" column reads late returns by period; they are a small slice of tasks.
    await q.query(`CREATE INDEX tasks_late_returns_idx ON tasks (returned_at) INCLUDE (organization_id, currency) WHERE on_time = false`);
    // A refund checks the task's earlier corrections while it holds the charge's lock.
    await q.query(`CREATE INDEX ledger_corrections_task_idx ON ledger_entries (task_id) WHERE kind IN ('refund', 'adjustment')`);
    // The summary aggregates a period from the index alone, without visiting the heap.
    await q.query(`CREATE INDEX ledger_period_totals_idx ON ledger_entries (created_at) INCLUDE (organization_id, kind, amount_cents, currency)`);
    // The sign of an amount is part of its meaning; a refund that adds money is a bug, whoever writes it.
    await q.query(`ALTER TABLE ledger_entries ADD CONSTRAINT ledger_amount_sign CHECK (
      (kind IN ('charge', 'payout') AND amount_cents >= 0) OR
      (kind = 'refund' AND amount_cents > 0) OR
      (kind = 'adjustment' AND amount_cents <> 0))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_amount_sign`);
    await q.query(`DROP INDEX ledger_period_totals_idx`);
    await q.query(`DROP INDEX ledger_corrections_task_idx`);
    await q.query(`DROP INDEX tasks_late_returns_idx`);
  }
}
