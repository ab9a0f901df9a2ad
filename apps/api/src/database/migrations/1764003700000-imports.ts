import type { MigrationInterface, QueryRunner } from 'typeorm';

// Bulk imports: a file of rows against a template version, each valid row
// becoming a task once. The same bytes for the same template in the same
// organization are one import (the unique key), and a row with a task is never
// submitted again.
export class Imports1764003700000 implements MigrationInterface {
  name = 'Imports1764003700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        created_by uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        template_id uuid NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        template_version_id uuid NOT NULL REFERENCES template_versions(id) ON DELETE CASCADE,
        template_version int NOT NULL,
        content_sha256 text CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
        columns jsonb NOT NULL,
        status text NOT NULL DEFAULT 'preview' CHECK (status IN ('preview', 'running', 'done', 'failed')),
        total int NOT NULL DEFAULT 0,
        valid int NOT NULL DEFAULT 0,
        rejected int NOT NULL DEFAULT 0,
        created int NOT NULL DEFAULT 0 CHECK (created <= valid),
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz,
        finished_at timestamptz
      )`);
    // The digest is set once every row is in, so a duplicate upload waits here for the first and then finds it.
    await q.query(`CREATE UNIQUE INDEX imports_content_key ON imports (organization_id, template_id, content_sha256)`);
    await q.query(`CREATE INDEX imports_organization_idx ON imports (organization_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE import_rows (
        import_id uuid NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        row_number int NOT NULL,
        cells jsonb NOT NULL,
        inputs jsonb,
        title text,
        priority task_priority,
        deadline timestamptz,
        errors jsonb,
        task_id uuid REFERENCES tasks(id) ON DELETE SET NULL,
        PRIMARY KEY (import_id, row_number)
      )`);
    // What a run picks next: the valid rows without a task, in file order.
    await q.query(`CREATE INDEX import_rows_pending_idx ON import_rows (import_id, row_number) WHERE errors IS NULL AND task_id IS NULL`);
    await q.query(`CREATE INDEX import_rows_rejected_idx ON import_rows (import_id, row_number) WHERE errors IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_rows`);
    await q.query(`DROP TABLE imports`);
  }
}
