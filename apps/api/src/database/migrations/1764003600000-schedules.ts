import type { MigrationInterface, QueryRunner } from 'typeorm';

// Recurring schedules of a template, and one row per run. The unique
// (schedule_id, scheduled_at) written in the transaction that creates the run's
// task is what makes a run happen once, whichever worker takes it and however
// often it is retried or restarted.
export class Schedules1764003600000 implements MigrationInterface {
  name = 'Schedules1764003600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE schedules (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        template_id uuid NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        version_id uuid,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        rule jsonb NOT NULL,
        run_time text,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        inputs jsonb,
        priority task_priority,
        paused_at timestamptz,
        paused_reason text,
        skip_at timestamptz,
        next_run_at timestamptz,
        last_run_at timestamptz,
        created_by uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX schedules_organization_idx ON schedules (organization_id, created_at, id)`);
    // The periodic pick reads only live schedules by when they fall due.
    await q.query(`CREATE INDEX schedules_due_idx ON schedules (next_run_at) WHERE paused_at IS NULL AND next_run_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE schedule_runs (
        id uuid PRIMARY KEY,
        schedule_id uuid NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
        scheduled_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('created', 'skipped', 'refused')),
        task_id uuid REFERENCES tasks(id) ON DELETE SET NULL,
        reason text,
        missed int NOT NULL DEFAULT 0 CHECK (missed >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT schedule_runs_once UNIQUE (schedule_id, scheduled_at)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE schedule_runs`);
    await q.query(`DROP TABLE schedules`);
  }
}
