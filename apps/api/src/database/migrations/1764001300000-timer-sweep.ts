import type { MigrationInterface, QueryRunner } from 'typeorm';

// The timer sweep asks, every few minutes, which returned tasks reach the end
// of their review window soon. Returned work is the one state the sweep reads
// that no partial index covers (open and queued tasks have theirs), and the
// table holds every task ever accepted; this keeps the sweep to the returned few.
export class TimerSweep1764001300000 implements MigrationInterface {
  name = 'TimerSweep1764001300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_returned_idx ON tasks (updated_at) WHERE status = 'returned'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_returned_idx`);
  }
}
