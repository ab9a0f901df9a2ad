import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Tasks1764000100000 implements MigrationInterface {
  name = 'Tasks1764000100000';

  async up(q: QueryRunner): Promise<void> {
    // Enum order is meaningful: ORDER BY priority DESC puts urgent first.
    await q.query(`CREATE TYPE task_priority AS ENUM ('low', 'normal', 'high', 'urgent')`);
    await q.query(`CREATE TYPE task_status AS ENUM ('queued', 'claimed', 'in_progress', 'returned', 'accepted', 'cancelled')`);
    await q.query(`CREATE TABLE tasks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id),
      created_by uuid NOT NULL REFERENCES users(id),
      title text NOT NULL,
      instructions text NOT NULL,
      category task_category NOT NULL,
      priority task_priority NOT NULL,
      deadline timestamptz NOT NULL,
      price_cents int NOT NULL CHECK (price_cents >= 0),
      currency char(3) NOT NULL,
      status task_status NOT NULL DEFAULT 'queued',
      assignee_id uuid REFERENCES users(id),
      result text,
      feedback text,
      on_time boolean,
      overdue boolean NOT NULL DEFAULT false,
      escalated boolean NOT NULL DEFAULT false,
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      claimed_at timestamptz,
      started_at timestamptz,
      returned_at timestamptz,
      accepted_at timestamptz,
      cancelled_at timestamptz,
      CONSTRAINT tasks_assignee_matches_status CHECK (
        (status IN ('queued', 'cancelled') AND assignee_id IS NULL) OR
        (status IN ('claimed', 'in_progress', 'returned', 'accepted') AND assignee_id IS NOT NULL) OR
        (status = 'cancelled')),
      CONSTRAINT tasks_on_time_fixed_at_return CHECK ((returned_at IS NULL) = (on_time IS NULL)))`);
    // The board and claim-next read queued work by category in this exact order.
    await q.query(`CREATE INDEX tasks_queue_idx ON tasks (category, priority DESC, deadline, created_at) WHERE status = 'queued'`);
    await q.query(`CREATE INDEX tasks_org_idx ON tasks (organization_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, status) WHERE assignee_id IS NOT NULL`);
    await q.query(`CREATE INDEX tasks_created_idx ON tasks (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tasks_open_deadline_idx ON tasks (deadline) WHERE status IN ('queued', 'claimed', 'in_progress')`);

    await q.query(`CREATE TABLE task_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      task_id uuid NOT NULL REFERENCES tasks(id),
      action text NOT NULL,
      from_status task_status,
      to_status task_status NOT NULL,
      actor_id uuid REFERENCES users(id),
      actor_role text NOT NULL,
      note text,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await q.query(`CREATE INDEX task_events_task_idx ON task_events (task_id, created_at)`);

    // Rows written in the same transaction as a state change and relayed to
    // Redis (queues, sockets) after commit; a row is deleted only once relayed.
    await q.query(`CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      attempts int NOT NULL DEFAULT 0)`);

    await q.query(`CREATE TABLE idempotency_keys (
      user_id uuid NOT NULL REFERENCES users(id),
      key text NOT NULL,
      request_hash text NOT NULL,
      status_code int,
      response jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, key))`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);

    await q.query(`CREATE TYPE ledger_kind AS ENUM ('charge', 'payout', 'refund', 'adjustment')`);
    await q.query(`CREATE TABLE ledger_entries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      task_id uuid NOT NULL REFERENCES tasks(id),
      organization_id uuid NOT NULL REFERENCES organizations(id),
      assistant_id uuid REFERENCES users(id),
      kind ledger_kind NOT NULL,
      amount_cents bigint NOT NULL,
      currency char(3) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by uuid REFERENCES users(id),
      reason text,
      CONSTRAINT ledger_correction_has_reason CHECK (kind IN ('charge', 'payout') OR (reason IS NOT NULL AND created_by IS NOT NULL)))`);
    await q.query(`CREATE UNIQUE INDEX ledger_one_charge_per_task ON ledger_entries (task_id) WHERE kind = 'charge'`);
    await q.query(`CREATE UNIQUE INDEX ledger_one_payout_per_task ON ledger_entries (task_id) WHERE kind = 'payout'`);
    await q.query(`CREATE INDEX ledger_created_idx ON ledger_entries (created_at, id)`);
    await q.query(`CREATE INDEX ledger_org_idx ON ledger_entries (organization_id, created_at)`);
    await q.query(`CREATE INDEX ledger_assistant_idx ON ledger_entries (assistant_id, created_at) WHERE assistant_id IS NOT NULL`);
    // The ledger is append-only, whoever connects: corrections are new rows.
    await q.query(`CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'ledger_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$`);
    await q.query(`CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_append_only()`);
    await q.query(`CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_entries`);
    await q.query(`DROP FUNCTION ledger_append_only`);
    await q.query(`DROP TYPE ledger_kind`);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE task_events`);
    await q.query(`DROP TABLE tasks`);
    await q.query(`DROP TYPE task_status`);
    await q.query(`DROP TYPE task_priority`);
  }
}
