import type { MigrationInterface, QueryRunner } from 'typeorm';

// claim-next for many assistants in one call, so that concurrent claims share
// one round trip and one commit (the API's group commit, TasksService).
// Each claim is what the single claiming statement does: take a slot of the
// assistant's capacity, claim the first queued task in their skills in queue
// order (passing over rows other transactions hold), and write its event and
// outbox row; it answers the claimed row as JSON with the names the dashboard
// shows (a query around this call would read the rows as they were before it). Claims run in the order given and see each other: one
// assistant twice in a batch takes two slots, and never the same task.
//
// Every assistant row of the batch is locked first, in id order, so the only
// waits come before any task is held, and batches (from any instance) lock
// in the same order: they cannot deadlock on each other. One commit for many
// claims is the point (docs/PERFORMANCE.md#group-commit).
//
// The queue order is written out here as it was when this ran; it must match
// QUEUE_ORDER (tasks.repository.ts), and a later change to either needs a migration.
/** The outbox row of a claim as this migration wrote it. */
export const CLAIM_OUTBOX_ROW = `INSERT INTO outbox (topic, payload)
              VALUES ('task', jsonb_build_object('taskId', picked, 'version', picked_version, 'action', 'claim',
                                                 'from', 'queued', 'to', 'claimed', 'prevAssigneeId', NULL));`;

/** The categories claim-next picks from for assistant `i`: the skills it was handed. */
export const CLAIM_NEXT_PICKS = `string_to_array(skill_lists[i], ',')::task_category[]`;

/**
 * The function, with the statement that writes a claim's outbox row (`picked`, `picked_version`, `assistant_ids[i]` in scope)
 * and the categories it picks from; later migrations replace either.
 */
export function claimNextFunction(create: 'CREATE' | 'CREATE OR REPLACE', outboxRow: string, picks: string = CLAIM_NEXT_PICKS): string {
  return `
      ${create} FUNCTION handoff_claim_next(assistant_ids uuid[], skill_lists text[])
      RETURNS TABLE (ord int, cap_active int, cap_max int, cap_suspended boolean, task jsonb)
      LANGUAGE plpgsql AS $$
      DECLARE
        i int;
        cap record;
        picked uuid;
        picked_version int;
        claimed jsonb;
      BEGIN
        PERFORM 1 FROM users WHERE id = ANY (assistant_ids) ORDER BY id FOR UPDATE;
        FOR i IN 1 .. coalesce(array_length(assistant_ids, 1), 0) LOOP
          SELECT u.active_tasks, u.max_concurrent_tasks, u.suspended, u.name INTO cap FROM users u WHERE u.id = assistant_ids[i];
          CONTINUE WHEN NOT FOUND;
          picked := NULL;
          claimed := NULL;
          IF NOT cap.suspended AND cap.active_tasks < cap.max_concurrent_tasks THEN
            UPDATE tasks t SET status = 'claimed', version = t.version + 1, updated_at = now(), assignee_id = assistant_ids[i], claimed_at = now()
             WHERE t.id = (SELECT q.id FROM tasks q
                            WHERE q.status = 'queued' AND q.category = ANY (${picks})
                            ORDER BY q.priority DESC, q.deadline ASC, q.created_at ASC, q.id ASC
                            LIMIT 1 FOR UPDATE SKIP LOCKED)
               AND t.status = 'queued'
            RETURNING t.id, t.version, to_jsonb(t) INTO picked, picked_version, claimed;
            IF picked IS NOT NULL THEN
              INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role)
              VALUES (picked, 'claim', 'queued', 'claimed', assistant_ids[i], 'assistant');
              ${outboxRow}
              claimed := claimed || jsonb_build_object('assignee_name', cap.name,
                'organization_name', (SELECT o.name FROM organizations o WHERE o.id = (claimed ->> 'organization_id')::uuid));
            END IF;
          END IF;
          ord := i;
          cap_active := cap.active_tasks;
          cap_max := cap.max_concurrent_tasks;
          cap_suspended := cap.suspended;
          task := claimed;
          RETURN NEXT;
        END LOOP;
      END $$`;
}

export class ClaimNextBatch1764001500000 implements MigrationInterface {
  name = 'ClaimNextBatch1764001500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(claimNextFunction('CREATE', CLAIM_OUTBOX_ROW));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION handoff_claim_next(uuid[], text[])`);
  }
}
