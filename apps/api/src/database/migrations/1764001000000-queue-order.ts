import type { MigrationInterface, QueryRunner } from 'typeorm';

// claim-next and the board read queued work across several skills in queue
// order. The category-first index can't return that order across categories,
// so PostgreSQL sorted every queued task in the skills; this index walks the
// queue in order and stops at the first match (docs/PERFORMANCE.md#queue-order-index).
export class QueueOrder1764001000000 implements MigrationInterface {
  name = 'QueueOrder1764001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_queued_order_idx ON tasks (priority DESC, deadline, created_at, id) WHERE status = 'queued'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_queued_order_idx`);
  }
}
