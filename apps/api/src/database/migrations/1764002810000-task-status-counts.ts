import type { MigrationInterface, QueryRunner } from 'typeorm';

// Tasks per status for queue health, kept by triggers instead of counted
// over every task on each read (docs/PERFORMANCE.md#task-status-counters).
// Each status has COUNT_SHARDS rows and a transaction adds to the one its
// backend picks, so concurrent submits and claims on other connections don't
// queue on one hot row; the read sums them. Exact in any snapshot: a counter
// moves in the transaction of the task it counts.
export const COUNT_SHARDS = 32;

export class TaskStatusCounts1764002810000 implements MigrationInterface {
  name = 'TaskStatusCounts1764002810000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE task_status_counts (
      status task_status NOT NULL,
      shard smallint NOT NULL,
      n bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (status, shard))`);
    // Every row exists up front, so a trigger only ever updates (no upsert, no insert race).
    await q.query(`INSERT INTO task_status_counts (status, shard)
      SELECT s, g FROM unnest(enum_range(NULL::task_status)) s, generate_series(0, ${COUNT_SHARDS - 1}) g`);
    await q.query(`CREATE FUNCTION handoff_count_status_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE task_status_counts c SET n = c.n + x.k
          FROM (SELECT status, count(*) AS k FROM new_tasks GROUP BY status) x
         WHERE c.status = x.status AND c.shard = pg_backend_pid() % ${COUNT_SHARDS};
        RETURN NULL;
      END $$`);
    await q.query(`CREATE FUNCTION handoff_count_status_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE task_status_counts c SET n = c.n - x.k
          FROM (SELECT status, count(*) AS k FROM old_tasks GROUP BY status) x
         WHERE c.status = x.status AND c.shard = pg_backend_pid() % ${COUNT_SHARDS};
        RETURN NULL;
      END $$`);
    // One statement for both rows; the primary key orders them, so two movers lock them in the same order.
    await q.query(`CREATE FUNCTION handoff_count_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE task_status_counts SET n = n + CASE WHEN status = NEW.status THEN 1 ELSE -1 END
         WHERE status IN (OLD.status, NEW.status) AND shard = pg_backend_pid() % ${COUNT_SHARDS};
        RETURN NULL;
      END $$`);
    await q.query(`CREATE FUNCTION handoff_count_status_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE task_status_counts SET n = 0 WHERE n <> 0; DELETE FROM task_late_daily; RETURN NULL; END $$`);
    await q.query(`CREATE TRIGGER tasks_count_status_insert AFTER INSERT ON tasks
      REFERENCING NEW TABLE AS new_tasks FOR EACH STATEMENT EXECUTE FUNCTION handoff_count_status_insert()`);
    await q.query(`CREATE TRIGGER tasks_count_status_delete AFTER DELETE ON tasks
      REFERENCING OLD TABLE AS old_tasks FOR EACH STATEMENT EXECUTE FUNCTION handoff_count_status_delete()`);
    await q.query(`CREATE TRIGGER tasks_count_status_update AFTER UPDATE OF status ON tasks
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION handoff_count_status_move()`);
    await q.query(`CREATE TRIGGER tasks_count_status_truncate AFTER TRUNCATE ON tasks
      FOR EACH STATEMENT EXECUTE FUNCTION handoff_count_status_truncate()`);

    await q.query(`CREATE FUNCTION handoff_rebuild_status_counts() RETURNS void LANGUAGE sql AS $$
      UPDATE task_status_counts SET n = 0 WHERE n <> 0;
      UPDATE task_status_counts c SET n = x.k FROM (SELECT status, count(*) AS k FROM tasks GROUP BY status) x
       WHERE c.status = x.status AND c.shard = 0;
    $$`);
    await q.query(`LOCK TABLE tasks IN SHARE MODE`);
    await q.query(`SELECT handoff_rebuild_status_counts()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION handoff_rebuild_status_counts()`);
    await q.query(`DROP TRIGGER tasks_count_status_truncate ON tasks`);
    await q.query(`DROP TRIGGER tasks_count_status_update ON tasks`);
    await q.query(`DROP TRIGGER tasks_count_status_delete ON tasks`);
    await q.query(`DROP TRIGGER tasks_count_status_insert ON tasks`);
    await q.query(`DROP FUNCTION handoff_count_status_truncate()`);
    await q.query(`DROP FUNCTION handoff_count_status_move()`);
    await q.query(`DROP FUNCTION handoff_count_status_delete()`);
    await q.query(`DROP FUNCTION handoff_count_status_insert()`);
    await q.query(`DROP TABLE task_status_counts`);
  }
}
