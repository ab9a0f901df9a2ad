import type { MigrationInterface, QueryRunner } from 'typeorm';
import { COUNT_SHARDS } from './1764002810000-task-status-counts.js';

// Disputes: a client contests returned work and an admin resolves it
// (docs/ARCHITECTURE.md#disputes). A new task status, `disputed`, that holds
// the assignee like `returned` and counts neither as active work nor toward
// the review timer (whose sweep and jobs read `returned` only).
//
// A value added to an enum cannot be used in the transaction that adds it, so
// this migration runs the ALTER TYPE by itself and the rest in a transaction of its own.
export class Disputes1764004300000 implements MigrationInterface {
  name = 'Disputes1764004300000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TYPE task_status ADD VALUE IF NOT EXISTS 'disputed' AFTER 'returned'`);
    await q.startTransaction();
    try {
      await q.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_assignee_matches_status`);
      await q.query(`ALTER TABLE tasks ADD CONSTRAINT tasks_assignee_matches_status CHECK (
        (status IN ('queued', 'cancelled') AND assignee_id IS NULL) OR
        (status IN ('claimed', 'in_progress', 'returned', 'disputed', 'accepted') AND assignee_id IS NOT NULL) OR
        (status = 'cancelled'))`);
      // The per-status counters have a row per shard for every status.
      await q.query(`INSERT INTO task_status_counts (status, shard) SELECT 'disputed', g FROM generate_series(0, ${COUNT_SHARDS - 1}) g ON CONFLICT DO NOTHING`);
      await q.query(`CREATE TABLE disputes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        task_id uuid NOT NULL REFERENCES tasks(id),
        organization_id uuid NOT NULL REFERENCES organizations(id),
        assignee_id uuid NOT NULL REFERENCES users(id),
        opened_by uuid NOT NULL REFERENCES users(id),
        reason text NOT NULL,
        answer text,
        answered_at timestamptz,
        status text NOT NULL DEFAULT 'open',
        outcome text,
        amount_cents bigint,
        note text,
        resolved_by uuid REFERENCES users(id),
        resolved_at timestamptz,
        -- No foreign key: the ledger is append-only, so the entry cannot go, and a reference would answer its TRUNCATE guard with a key error.
        ledger_entry_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT disputes_status CHECK (status IN ('open', 'resolved')),
        CONSTRAINT disputes_outcome CHECK (outcome IN ('rework', 'refund', 'reassign')),
        CONSTRAINT disputes_resolved_whole CHECK (
          (status = 'open' AND outcome IS NULL AND resolved_at IS NULL AND resolved_by IS NULL) OR
          (status = 'resolved' AND outcome IS NOT NULL AND resolved_at IS NOT NULL AND resolved_by IS NOT NULL)),
        -- Only a refund moves money, and then it is in the ledger.
        CONSTRAINT disputes_refund_in_ledger CHECK (
          (outcome = 'refund') = (amount_cents IS NOT NULL AND amount_cents > 0 AND ledger_entry_id IS NOT NULL) OR outcome IS NULL),
        CONSTRAINT disputes_answered_whole CHECK ((answer IS NULL) = (answered_at IS NULL)))`);
      // One open dispute per task, whoever opens it and however many at once.
      await q.query(`CREATE UNIQUE INDEX disputes_one_open_idx ON disputes (task_id) WHERE status = 'open'`);
      await q.query(`CREATE INDEX disputes_task_idx ON disputes (task_id, created_at DESC)`);
      // The admins' list of open disputes, oldest first.
      await q.query(`CREATE INDEX disputes_open_idx ON disputes (created_at, id) WHERE status = 'open'`);
      await q.query(`CREATE INDEX disputes_resolved_idx ON disputes (resolved_at DESC, id DESC) WHERE status = 'resolved'`);
      await q.commitTransaction();
    } catch (e) {
      await q.rollbackTransaction();
      throw e;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // The enum keeps its value (PostgreSQL cannot drop one); no row holds it once the tasks are moved back.
    await q.query(`DROP TABLE disputes`);
    await q.query(`UPDATE tasks SET status = 'returned' WHERE status = 'disputed'`);
    await q.query(`DELETE FROM task_status_counts WHERE status = 'disputed'`);
    await q.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_assignee_matches_status`);
    await q.query(`ALTER TABLE tasks ADD CONSTRAINT tasks_assignee_matches_status CHECK (
      (status IN ('queued', 'cancelled') AND assignee_id IS NULL) OR
      (status IN ('claimed', 'in_progress', 'returned', 'accepted') AND assignee_id IS NOT NULL) OR
      (status = 'cancelled'))`);
  }
}
