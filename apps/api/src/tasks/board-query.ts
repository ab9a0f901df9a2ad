import { TASK_JOINS, TASK_SELECT } from './task-row.js';

const BEST_FIRST = (alias: string) => `${alias}.priority DESC, ${alias}.deadline ASC, ${alias}.created_at ASC, ${alias}.id ASC`;

/**
 * The board: queued tasks in the skills ($1), best first, at most $2. Each
 * skill reads at most a page of ids from its own stretch of `tasks_queue_idx`
 * (an index-only scan), and only the page's rows are then read, so a page
 * costs the same however long the queue (docs/PERFORMANCE.md#list-indexes).
 * Filtering the whole queue by category read every queued task in the skills.
 */
export const BOARD_SQL = `
  SELECT ${TASK_SELECT}
    FROM (SELECT b.id FROM (SELECT DISTINCT unnest($1::task_category[]) AS category) c
           CROSS JOIN LATERAL (
             SELECT q.id, q.priority, q.deadline, q.created_at FROM tasks q
              WHERE q.status = 'queued' AND q.category = c.category ORDER BY ${BEST_FIRST('q')} LIMIT $2) b
           ORDER BY ${BEST_FIRST('b')} LIMIT $2) page
    JOIN tasks t ON t.id = page.id
   ${TASK_JOINS}
   ORDER BY ${BEST_FIRST('t')}`;
