import type { MigrationInterface, QueryRunner } from 'typeorm';

// A conversation on every task: messages in the order they committed (`seq`,
// taken under a per-task lock), kept as tombstones when deleted, and each
// user's seen mark per task, from which unread counts are computed.
export class Conversations1764003200000 implements MigrationInterface {
  name = 'Conversations1764003200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_messages (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        seq int NOT NULL,
        author_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        author_role text NOT NULL,
        body text,
        mentions uuid[] NOT NULL DEFAULT '{}',
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        edited_at timestamptz,
        deleted_at timestamptz,
        CONSTRAINT task_messages_task_seq_key UNIQUE (task_id, seq),
        -- A deleted message keeps its place and loses its body.
        CONSTRAINT task_messages_tombstone CHECK ((deleted_at IS NULL) = (body IS NOT NULL)),
        CONSTRAINT task_messages_body_length CHECK (body IS NULL OR char_length(body) BETWEEN 1 AND 10000)
      )`);
    await q.query(`
      CREATE TABLE task_message_reads (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        seen_seq int NOT NULL,
        seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, task_id)
      )`);
    await q.query(`CREATE INDEX task_message_reads_task_idx ON task_message_reads (task_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_message_reads`);
    await q.query(`DROP TABLE task_messages`);
  }
}
