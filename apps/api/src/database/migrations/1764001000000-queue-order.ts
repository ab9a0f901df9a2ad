import type { MigrationInterface, QueryRunner } from 'typeorm';

// claim-next and the board read queued work across several skills in queue
// order. The category-first index can't return that order across categories,
// so PostgreSQL sorted every queued task in the skills (2 ms at 5,000 queued,
// 15 ms at 50,000); this index walks the queue in order and stops at the first
// match (0.1 ms at 50,000; see docs/PERFORMANCE.md).
export class QueueOrder1764001000000 implements MigrationInterface {
  name = 'QueueOrder1764001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_queued_order_idx ON tasks (priority DESC, deadline, created_at, id) WHERE status = 'queued'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_queued_order_idx`);
  }
}
