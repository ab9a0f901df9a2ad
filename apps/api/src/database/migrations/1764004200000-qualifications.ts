import type { MigrationInterface, QueryRunner } from 'typeorm';
import { claimNextFunction } from './1764001500000-claim-next-batch.js';
import { CLAIM_EVENT } from './1764002300000-claim-next-events.js';

// Qualifications: the categories that require one, the tasks an admin sets
// for each, assistants' attempts at them and the qualifications granted.
// claim-next now picks only from the skills whose category either requires
// nothing or whose qualification the assistant holds: the skill list is cut
// once per assistant, so the pick still walks the queue index per category.
// The condition is written out as it was when this ran; it must match
// `qualifiedSql` (qualifications.repository.ts).
const QUALIFIED_PICKS = `ARRAY(SELECT s FROM unnest(string_to_array(skill_lists[i], ',')::task_category[]) AS s
                WHERE NOT EXISTS (SELECT 1 FROM qualification_requirements qr WHERE qr.category = s
                  AND NOT EXISTS (SELECT 1 FROM assistant_qualifications aq WHERE aq.assistant_id = assistant_ids[i] AND aq.category = s)))`;

export class Qualifications1764004200000 implements MigrationInterface {
  name = 'Qualifications1764004200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE qualification_requirements (
        category task_category PRIMARY KEY,
        set_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE qualification_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        category task_category NOT NULL,
        instructions text NOT NULL,
        reference_answer text,
        rubric text,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (reference_answer IS NOT NULL OR rubric IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX qualification_tasks_category_idx ON qualification_tasks (category, created_at)`);
    await q.query(`
      CREATE TABLE qualification_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        qualification_task_id uuid NOT NULL REFERENCES qualification_tasks(id) ON DELETE CASCADE,
        category task_category NOT NULL,
        assistant_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        answer text NOT NULL,
        status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'passed', 'failed')),
        reviewer_id uuid REFERENCES users(id) ON DELETE SET NULL,
        notes text,
        created_at timestamptz NOT NULL DEFAULT now(),
        reviewed_at timestamptz,
        CHECK ((status = 'submitted') = (reviewed_at IS NULL))
      )`);
    // One attempt waiting for review per assistant and category.
    await q.query(`CREATE UNIQUE INDEX qualification_attempts_open_idx ON qualification_attempts (assistant_id, category) WHERE status = 'submitted'`);
    await q.query(`CREATE INDEX qualification_attempts_assistant_idx ON qualification_attempts (assistant_id, created_at)`);
    await q.query(`CREATE INDEX qualification_attempts_status_idx ON qualification_attempts (status, created_at)`);
    await q.query(`
      CREATE TABLE assistant_qualifications (
        assistant_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        category task_category NOT NULL,
        attempt_id uuid REFERENCES qualification_attempts(id) ON DELETE SET NULL,
        granted_by uuid REFERENCES users(id) ON DELETE SET NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (assistant_id, category)
      )`);
    await q.query(claimNextFunction('CREATE OR REPLACE', CLAIM_EVENT, QUALIFIED_PICKS));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(claimNextFunction('CREATE OR REPLACE', CLAIM_EVENT));
    await q.query(`DROP TABLE assistant_qualifications`);
    await q.query(`DROP TABLE qualification_attempts`);
    await q.query(`DROP TABLE qualification_tasks`);
    await q.query(`DROP TABLE qualification_requirements`);
  }
}
