import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { query, rowsOf, type Queryable } from '../database/sql.js';
import type { Placeholder } from '../events/outbox.repository.js';
import { TaskChecklistStep } from './task-checklist-step.entity.js';

const toStep = rowMapper(TaskChecklistStep);

// The steps' rows, as fragments of the statements that write them with their task (TasksRepository).

/**
 * A submitted task's checklist, for each row of the CTE `t` (just inserted
 * tasks) from the steps its row of `i` carries (`checklist`, the pinned
 * version's steps as jsonb; null for a task without a template).
 */
export const CHECKLIST_STEPS_SUBMITTED = `
  INSERT INTO task_checklist_steps (task_id, step_id, position, title, detail, required)
  SELECT t.id, (x.step->>'id')::uuid, x.ord - 1, x.step->>'title', x.step->>'detail', (x.step->>'required')::boolean
    FROM t JOIN i ON i.id = t.id CROSS JOIN LATERAL jsonb_array_elements(i.checklist) WITH ORDINALITY AS x(step, ord)
   WHERE i.checklist IS NOT NULL`;

/**
 * A tick (or an untick) of one step of the task the CTE `g` holds locked: only
 * when the step is not in that state already, so a tick sent twice, even at
 * once, changes it once. RETURNING the step, for the task's counts.
 */
export function checklistTickSql(v: { stepId: Placeholder; done: Placeholder; actorId: Placeholder; note: Placeholder }): string {
  return `
  UPDATE task_checklist_steps
     SET done_at = CASE WHEN ${v.done}::boolean THEN now() END,
         done_by = CASE WHEN ${v.done}::boolean THEN ${v.actorId}::uuid END,
         note = ${v.note}::text
   WHERE task_id = (SELECT id FROM g) AND step_id = ${v.stepId}::uuid AND (done_at IS NULL) = ${v.done}::boolean
  RETURNING *`;
}

/** The task_checklist_steps table: written with their task (the fragments above), read here. */
@Injectable()
export class TaskChecklistStepsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** A task's steps in order. */
  async forTask(taskId: string, m: Queryable = this.ds): Promise<TaskChecklistStep[]> {
    return (await query<Record<string, unknown>>(m, `SELECT * FROM task_checklist_steps WHERE task_id = $1 ORDER BY position`, [taskId])).map(toStep);
  }

  /** The steps of these tasks, in order (planned per call: a batch of the relay). */
  async forTasks(taskIds: readonly string[], m: Queryable = this.ds): Promise<TaskChecklistStep[]> {
    if (!taskIds.length) return [];
    return rowsOf<Record<string, unknown>>(await m.query(`SELECT * FROM task_checklist_steps WHERE task_id = ANY($1::uuid[]) ORDER BY task_id, position`, [taskIds])).map(toStep);
  }
}
