import type { MigrationInterface, QueryRunner } from 'typeorm';

// A template's process view reads the tasks made from it: a page of them
// newest first, and its counts. Nothing indexed template_id, so each of those
// read the whole tasks table. One organization's tasks of one template, by
// submission: a client's view filters on both (a starter is every
// organization's), pages in this order, and counts a window's tail of it.
export class TemplateProcess1764003900000 implements MigrationInterface {
  name = 'TemplateProcess1764003900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_template_idx ON tasks (template_id, organization_id, created_at DESC, id DESC) WHERE template_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_template_idx`);
  }
}
