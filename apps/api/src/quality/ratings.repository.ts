import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { RatingView } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { rowMapper } from '../database/rows.js';
import { query, rowsOf, type Queryable } from '../database/sql.js';
import { RATING_RECORDED_EVENTS } from '../events/outbox.repository.js';
import { Rating } from './rating.entity.js';

const toRating = rowMapper(Rating);

export function toRatingView(r: Rating): RatingView {
  return {
    taskId: r.taskId,
    organizationId: r.organizationId,
    assistantId: r.assistantId,
    stars: r.stars,
    comment: r.comment,
    ratedBy: r.ratedBy,
    revision: r.revision,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Given or changed, with its `rating.recorded`, in one statement; a second rating of the task is an edit of the first. */
const UPSERT_SQL = `
  WITH r AS (
    INSERT INTO ratings (task_id, organization_id, assistant_id, stars, comment, rated_by)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (task_id) DO UPDATE
      SET stars = EXCLUDED.stars, comment = EXCLUDED.comment, rated_by = EXCLUDED.rated_by,
          revision = ratings.revision + 1, updated_at = now()
    RETURNING *),
  ob AS (${RATING_RECORDED_EVENTS})
  SELECT * FROM r`;

/**
 * An assistant's record over [$2, now): the tasks they had accepted in it (by
 * the client or the review timer), each with its revisions and its rating.
 * Walks `tasks_assignee_accepted_idx` for the window, then each task's events
 * by `task_events_task_idx` and its rating by primary key. A row only when
 * $1 is an assistant.
 */
const SCORECARD_SQL = `
  WITH done AS (
    SELECT t.id, t.on_time FROM tasks t
     WHERE t.assignee_id = $1 AND t.status = 'accepted' AND t.accepted_at >= $2),
  each AS (
    SELECT done.id, done.on_time, r.stars,
           (SELECT count(*) FROM task_events e WHERE e.task_id = done.id AND e.action = 'revise')::int AS revisions
      FROM done LEFT JOIN ratings r ON r.task_id = done.id)
  SELECT count(*)::int AS "tasksDone",
         count(*) FILTER (WHERE on_time)::int AS "onTime",
         count(*) FILTER (WHERE revisions = 0)::int AS "firstPass",
         coalesce(sum(revisions), 0)::int AS revisions,
         avg(stars)::float8 AS "averageRating",
         count(stars)::int AS "ratingCount"
    FROM each
  HAVING EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'assistant')`;

export interface ScorecardCounts {
  tasksDone: number;
  onTime: number;
  firstPass: number;
  revisions: number;
  averageRating: number | null;
  ratingCount: number;
}

/** The `ratings` table, and the scorecard read that joins them to the assistant's accepted tasks. */
@Injectable()
export class RatingsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async forTask(taskId: string, m: Queryable = this.ds): Promise<Rating | null> {
    const [row] = await query<Record<string, unknown>>(m, `SELECT * FROM ratings WHERE task_id = $1`, [taskId]);
    return row ? toRating(row) : null;
  }

  async byTaskIds(taskIds: readonly string[], m: Queryable = this.ds): Promise<Rating[]> {
    return rowsOf<Record<string, unknown>>(await m.query(`SELECT * FROM ratings WHERE task_id = ANY($1::uuid[])`, [taskIds])).map(toRating);
  }

  async upsert(
    m: Queryable,
    r: { taskId: string; organizationId: string; assistantId: string; stars: number; comment: string | null; ratedBy: string },
  ): Promise<Rating> {
    const [row] = await query<Record<string, unknown>>(m, UPSERT_SQL, [r.taskId, r.organizationId, r.assistantId, r.stars, r.comment, r.ratedBy]);
    return toRating(row!);
  }

  /** Null when the id is not an assistant's. */
  async scorecard(assistantId: string, since: Date): Promise<ScorecardCounts | null> {
    const rows = await query<ScorecardCounts>(this.ds, SCORECARD_SQL, [assistantId, since]);
    return rows[0] ?? null;
  }
}
