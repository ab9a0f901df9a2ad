import type { MigrationInterface, QueryRunner } from 'typeorm';

// Ratings of accepted work, the organizations' preferred assistants and their
// head start, and the index scorecards read: an assistant's accepted tasks by
// the time they were accepted.
export class Quality1764003400000 implements MigrationInterface {
  name = 'Quality1764003400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ratings (
        task_id uuid PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        assistant_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
        comment text CHECK (char_length(comment) <= 2000),
        rated_by uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        revision int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE preferred_assistants (
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        assistant_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, assistant_id)
      )`);
    await q.query(`CREATE INDEX preferred_assistants_assistant_idx ON preferred_assistants (assistant_id)`);
    await q.query(
      `ALTER TABLE organizations ADD COLUMN preferred_head_start_seconds int NOT NULL DEFAULT 300 CHECK (preferred_head_start_seconds BETWEEN 0 AND 86400)`,
    );
    // A scorecard walks one assistant's accepted tasks of the window in this index, not all their tasks.
    await q.query(`CREATE INDEX tasks_assignee_accepted_idx ON tasks (assignee_id, accepted_at) INCLUDE (on_time) WHERE status = 'accepted'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_assignee_accepted_idx`);
    await q.query(`ALTER TABLE organizations DROP COLUMN preferred_head_start_seconds`);
    await q.query(`DROP TABLE preferred_assistants`);
    await q.query(`DROP TABLE ratings`);
  }
}
