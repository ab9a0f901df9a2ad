import type { MigrationInterface, QueryRunner } from 'typeorm';

// The active-task count's trigger ran its PL/pgSQL function for every new
// task, and a new task has no assignee, so the call never changed anything.
// Split by event, with a WHEN clause that PostgreSQL checks without calling
// the function, a submit no longer pays for it (docs/PERFORMANCE.md#claims-in-one-statement).
// Updates keep the unconditional trigger: a claim, a release or a return
// moves the count, and the function already compares before it writes.
export class ActiveCountTriggers1764001400000 implements MigrationInterface {
  name = 'ActiveCountTriggers1764001400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tasks_count_active ON tasks`);
    await q.query(`CREATE TRIGGER tasks_count_active_insert AFTER INSERT ON tasks
      FOR EACH ROW WHEN (NEW.assignee_id IS NOT NULL) EXECUTE FUNCTION handoff_count_active_tasks()`);
    await q.query(`CREATE TRIGGER tasks_count_active_update AFTER UPDATE OF status, assignee_id ON tasks
      FOR EACH ROW EXECUTE FUNCTION handoff_count_active_tasks()`);
    await q.query(`CREATE TRIGGER tasks_count_active_delete AFTER DELETE ON tasks
      FOR EACH ROW WHEN (OLD.assignee_id IS NOT NULL) EXECUTE FUNCTION handoff_count_active_tasks()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tasks_count_active_insert ON tasks`);
    await q.query(`DROP TRIGGER tasks_count_active_update ON tasks`);
    await q.query(`DROP TRIGGER tasks_count_active_delete ON tasks`);
    await q.query(`CREATE TRIGGER tasks_count_active AFTER INSERT OR DELETE OR UPDATE OF status, assignee_id ON tasks
      FOR EACH ROW EXECUTE FUNCTION handoff_count_active_tasks()`);
  }
}
