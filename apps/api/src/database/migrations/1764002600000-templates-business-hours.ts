import type { MigrationInterface, QueryRunner } from 'typeorm';

// SOP templates and an organization's calendar.
//
// A template is a head row (`templates`: owner, archive state, and the
// current version's summary for lists) over immutable versions
// (`template_versions`): an edit adds a version under the head's row lock and
// moves the head; a task pins a version id, so what it was priced and
// submitted under never changes. Triggers refuse UPDATE, DELETE and TRUNCATE
// of versions. A template of no organization is a starter, shared with all;
// at most one active starter per category.
export class TemplatesBusinessHours1764002600000 implements MigrationInterface {
  name = 'TemplatesBusinessHours1764002600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organizations
      ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
      ADD COLUMN weekly_hours jsonb NOT NULL DEFAULT '{"sun":[],"mon":[{"start":"09:00","end":"17:00"}],"tue":[{"start":"09:00","end":"17:00"}],"wed":[{"start":"09:00","end":"17:00"}],"thu":[{"start":"09:00","end":"17:00"}],"fri":[{"start":"09:00","end":"17:00"}],"sat":[]}',
      ADD COLUMN holidays date[] NOT NULL DEFAULT '{}',
      ADD COLUMN settings_updated_at timestamptz NOT NULL DEFAULT now()`);

    await q.query(`CREATE TABLE templates (
      id uuid PRIMARY KEY,
      organization_id uuid REFERENCES organizations(id) ON DELETE RESTRICT,
      name text NOT NULL,
      category task_category NOT NULL,
      default_priority task_priority NOT NULL,
      version int NOT NULL CHECK (version > 0),
      version_id uuid NOT NULL,
      step_count int NOT NULL,
      input_count int NOT NULL,
      deadline_rule jsonb NOT NULL,
      archived_at timestamptz,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX templates_organization_idx ON templates (organization_id, created_at, id)`);
    await q.query(`CREATE UNIQUE INDEX templates_starter_category_key ON templates (category) WHERE organization_id IS NULL AND archived_at IS NULL`);

    await q.query(`CREATE TABLE template_versions (
      id uuid PRIMARY KEY,
      template_id uuid NOT NULL REFERENCES templates(id) ON DELETE RESTRICT,
      version int NOT NULL CHECK (version > 0),
      name text NOT NULL,
      category task_category NOT NULL,
      default_priority task_priority NOT NULL,
      instructions text NOT NULL,
      checklist jsonb NOT NULL,
      inputs jsonb NOT NULL,
      deadline_rule jsonb NOT NULL,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT template_versions_number_key UNIQUE (template_id, version))`);
    // The head names a version of its own; checked at commit, since both rows are written in one transaction.
    await q.query(`ALTER TABLE templates ADD CONSTRAINT templates_version_fk
      FOREIGN KEY (version_id) REFERENCES template_versions(id) DEFERRABLE INITIALLY DEFERRED`);

    await q.query(`CREATE FUNCTION template_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'template versions are immutable: edit the template to add a version'
          USING ERRCODE = 'restrict_violation', TABLE = 'template_versions';
      END $$`);
    await q.query(`CREATE TRIGGER template_versions_no_update BEFORE UPDATE OR DELETE ON template_versions
      FOR EACH ROW EXECUTE FUNCTION template_versions_immutable()`);
    await q.query(`CREATE TRIGGER template_versions_no_truncate BEFORE TRUNCATE ON template_versions
      FOR EACH STATEMENT EXECUTE FUNCTION template_versions_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE templates DROP CONSTRAINT templates_version_fk`);
    await q.query(`DROP TABLE template_versions`);
    await q.query(`DROP FUNCTION template_versions_immutable()`);
    await q.query(`DROP TABLE templates`);
    await q.query(`ALTER TABLE organizations DROP COLUMN time_zone, DROP COLUMN weekly_hours, DROP COLUMN holidays, DROP COLUMN settings_updated_at`);
  }
}
