import type { MigrationInterface, QueryRunner } from 'typeorm';

// How many tasks each assistant holds (claimed or in progress), kept on the
// user's row by a trigger on tasks, whatever moves a task (a claim, a timer, an
// admin, a script). A claim can then check capacity and take the task in one
// statement: it locks the assistant's row and re-reads this column after any
// wait, which a count(*) under READ COMMITTED would not do (it keeps the
// statement's snapshot, so two parallel claims could both see a free slot).
export class ActiveTasks1764001200000 implements MigrationInterface {
  name = 'ActiveTasks1764001200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN active_tasks int NOT NULL DEFAULT 0 CHECK (active_tasks >= 0)`);
    await q.query(`
      CREATE FUNCTION handoff_count_active_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        was uuid := CASE WHEN TG_OP <> 'INSERT' AND OLD.status IN ('claimed', 'in_progress') THEN OLD.assignee_id END;
        now_ uuid := CASE WHEN TG_OP <> 'DELETE' AND NEW.status IN ('claimed', 'in_progress') THEN NEW.assignee_id END;
      BEGIN
        IF was IS DISTINCT FROM now_ THEN
          IF was IS NOT NULL THEN UPDATE users SET active_tasks = active_tasks - 1 WHERE id = was; END IF;
          IF now_ IS NOT NULL THEN UPDATE users SET active_tasks = active_tasks + 1 WHERE id = now_; END IF;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER tasks_count_active AFTER INSERT OR DELETE OR UPDATE OF status, assignee_id ON tasks
        FOR EACH ROW EXECUTE FUNCTION handoff_count_active_tasks()`);
    // Who hears of a new task: assistants online in its category (skills @> ARRAY[category]).
    await q.query(`CREATE INDEX users_available_skills_idx ON users USING gin (skills) WHERE role = 'assistant' AND online AND NOT suspended`);
    await q.query(`
      UPDATE users u SET active_tasks = a.n
        FROM (SELECT assignee_id, count(*)::int AS n FROM tasks WHERE status IN ('claimed', 'in_progress') GROUP BY assignee_id) a
       WHERE a.assignee_id = u.id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX users_available_skills_idx`);
    await q.query(`DROP TRIGGER tasks_count_active ON tasks`);
    await q.query(`DROP FUNCTION handoff_count_active_tasks()`);
    await q.query(`ALTER TABLE users DROP COLUMN active_tasks`);
  }
}
