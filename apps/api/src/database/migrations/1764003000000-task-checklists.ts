import type { MigrationInterface, QueryRunner } from 'typeorm';

// Tasks made from templates, and their checklists.
//
// A task pins the template version it was made from (and keeps its number,
// so reads need no join) with the submitter's inputs. Its checklist is a copy
// of that version's steps, one row per step, ticked and unticked by the
// assignee. The task row counts the steps (all, ticked, required and not yet
// ticked) in the statement of each tick, so lists read progress from the row,
// and a return's guard reads the required count from the row it moves: a
// concurrent untick makes the return wait for the row lock and then see it.
export class TaskChecklists1764003000000 implements MigrationInterface {
  name = 'TaskChecklists1764003000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks
      ADD COLUMN template_id uuid REFERENCES templates(id) ON DELETE RESTRICT,
      ADD COLUMN template_version_id uuid REFERENCES template_versions(id) ON DELETE RESTRICT,
      ADD COLUMN template_version int,
      ADD COLUMN inputs jsonb,
      ADD COLUMN checklist_total int NOT NULL DEFAULT 0,
      ADD COLUMN checklist_done int NOT NULL DEFAULT 0,
      ADD COLUMN checklist_required_open int NOT NULL DEFAULT 0,
      ADD CONSTRAINT tasks_checklist_counts CHECK (checklist_done BETWEEN 0 AND checklist_total AND checklist_required_open BETWEEN 0 AND checklist_total),
      ADD CONSTRAINT tasks_template_pinned CHECK ((template_id IS NULL) = (template_version_id IS NULL) AND (template_id IS NULL) = (template_version IS NULL))`);

    await q.query(`CREATE TABLE task_checklist_steps (
      task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
      step_id uuid NOT NULL,
      position int NOT NULL CHECK (position >= 0),
      title text NOT NULL,
      detail text,
      required boolean NOT NULL,
      done_at timestamptz,
      done_by uuid REFERENCES users(id) ON DELETE SET NULL,
      note text,
      PRIMARY KEY (task_id, step_id),
      UNIQUE (task_id, position)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_checklist_steps`);
    await q.query(`ALTER TABLE tasks
      DROP CONSTRAINT tasks_template_pinned,
      DROP CONSTRAINT tasks_checklist_counts,
      DROP COLUMN checklist_required_open,
      DROP COLUMN checklist_done,
      DROP COLUMN checklist_total,
      DROP COLUMN inputs,
      DROP COLUMN template_version,
      DROP COLUMN template_version_id,
      DROP COLUMN template_id`);
  }
}
