import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CLAIM_OUTBOX_ROW, claimNextFunction } from './1764001500000-claim-next-batch.js';

// A claim by claim-next writes its typed domain event, `task.transitioned`
// with its actor, as every other move does (events/domain-events.ts).
export const CLAIM_EVENT = `INSERT INTO outbox (topic, payload)
              VALUES ('task.transitioned', jsonb_build_object('taskId', picked, 'version', picked_version, 'action', 'claim',
                'from', 'queued', 'to', 'claimed', 'actor', jsonb_build_object('id', assistant_ids[i], 'role', 'assistant'), 'prevAssigneeId', NULL));`;

export class ClaimNextEvents1764002300000 implements MigrationInterface {
  name = 'ClaimNextEvents1764002300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(claimNextFunction('CREATE OR REPLACE', CLAIM_EVENT));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(claimNextFunction('CREATE OR REPLACE', CLAIM_OUTBOX_ROW));
  }
}
