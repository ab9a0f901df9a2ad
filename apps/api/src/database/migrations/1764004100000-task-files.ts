import type { MigrationInterface, QueryRunner } from 'typeorm';

// Files on tasks: the row is written only once the object is stored whole, and
// soft-deleted (its object removed) rather than dropped, so a task's history
// still says a file was there. Live rows count against the organization's quota.
export class TaskFiles1764004100000 implements MigrationInterface {
  name = 'TaskFiles1764004100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_files (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        uploaded_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        purpose text NOT NULL CONSTRAINT task_files_purpose CHECK (purpose IN ('attachment', 'message', 'result')),
        message_id uuid REFERENCES task_messages (id) ON DELETE CASCADE,
        storage_key text NOT NULL UNIQUE,
        name text NOT NULL CONSTRAINT task_files_name_length CHECK (octet_length(name) BETWEEN 1 AND 255),
        content_type text NOT NULL,
        size bigint NOT NULL CONSTRAINT task_files_size CHECK (size >= 0),
        sha256 char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        deleted_at timestamptz,
        CONSTRAINT task_files_message CHECK ((purpose = 'message') = (message_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX task_files_task_idx ON task_files (task_id, created_at) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX task_files_message_idx ON task_files (message_id) WHERE message_id IS NOT NULL AND deleted_at IS NULL`);
    // The quota's sum reads the index alone.
    await q.query(`CREATE INDEX task_files_quota_idx ON task_files (organization_id) INCLUDE (size) WHERE deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_files`);
  }
}
