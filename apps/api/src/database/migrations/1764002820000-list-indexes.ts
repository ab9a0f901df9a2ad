import type { MigrationInterface, QueryRunner } from 'typeorm';

// Indexes in the order the lists page, so each page is a bounded index walk
// at any size (docs/PERFORMANCE.md#list-indexes): the board (the queue index
// gains the id, its last tie-break, so a skill's page is an index-only scan),
// the admin's list filtered by status, an assistant's own tasks, a client's statement lines (oldest
// first, no payouts), the audit trail's billing corrections; and queue
// health's overdue and escalated counts, read from the index alone.
export class ListIndexes1764002820000 implements MigrationInterface {
  name = 'ListIndexes1764002820000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_queue_idx`);
    await q.query(`CREATE INDEX tasks_queue_idx ON tasks (category, priority DESC, deadline, created_at, id) WHERE status = 'queued'`);
    await q.query(`CREATE INDEX tasks_status_created_idx ON tasks (status, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tasks_assignee_created_idx ON tasks (assignee_id, created_at DESC, id DESC) WHERE assignee_id IS NOT NULL`);
    await q.query(`CREATE INDEX ledger_statement_idx ON ledger_entries (organization_id, created_at, id) WHERE kind <> 'payout'`);
    await q.query(`CREATE INDEX ledger_corrections_created_idx ON ledger_entries (created_at, id) WHERE kind IN ('refund', 'adjustment')`);
    await q.query(`CREATE INDEX tasks_open_overdue_idx ON tasks (overdue, deadline) WHERE status IN ('queued', 'claimed', 'in_progress')`);
    await q.query(`CREATE INDEX tasks_escalated_idx ON tasks (created_at) WHERE status = 'queued' AND escalated`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_escalated_idx`);
    await q.query(`DROP INDEX tasks_open_overdue_idx`);
    await q.query(`DROP INDEX ledger_corrections_created_idx`);
    await q.query(`DROP INDEX ledger_statement_idx`);
    await q.query(`DROP INDEX tasks_assignee_created_idx`);
    await q.query(`DROP INDEX tasks_status_created_idx`);
    await q.query(`DROP INDEX tasks_queue_idx`);
    await q.query(`CREATE INDEX tasks_queue_idx ON tasks (category, priority DESC, deadline, created_at) WHERE status = 'queued'`);
  }
}
