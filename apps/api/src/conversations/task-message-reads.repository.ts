import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { query, rowsOf, type Queryable } from '../database/sql.js';

/** Unread: messages of others, not deleted, past the reader's seen mark (none: 0). */
const UNREAD_OF = (reader: string, task: string, seen: string) =>
  `(SELECT count(*) FROM task_messages m WHERE m.task_id = ${task} AND m.seq > COALESCE(${seen}, 0) AND m.author_id <> ${reader} AND m.deleted_at IS NULL)::int`;

const FOR_USERS_SQL = `
  SELECT u.user_id, ${UNREAD_OF('u.user_id', '$1', 'r.seen_seq')} AS unread
    FROM unnest($2::uuid[]) AS u(user_id)
    LEFT JOIN task_message_reads r ON r.user_id = u.user_id AND r.task_id = $1`;

const FOR_TASK_SQL = `
  SELECT ${UNREAD_OF('$1', '$2', 'r.seen_seq')} AS unread, COALESCE(r.seen_seq, 0) AS seen_seq
    FROM (SELECT 1) one LEFT JOIN task_message_reads r ON r.user_id = $1 AND r.task_id = $2`;

// Per scope, a fixed statement: the tasks whose conversations the reader may read and has unread in.
const SUMMARY_TAIL = `
     LEFT JOIN task_message_reads r ON r.user_id = $1 AND r.task_id = m.task_id
    WHERE m.author_id <> $1 AND m.deleted_at IS NULL AND m.seq > COALESCE(r.seen_seq, 0)
    GROUP BY m.task_id ORDER BY max(m.created_at) DESC LIMIT 500`;
const SUMMARY_SQL = {
  organization: `SELECT m.task_id, count(*)::int AS unread FROM task_messages m JOIN tasks t ON t.id = m.task_id AND t.organization_id = $2 ${SUMMARY_TAIL}`,
  assignee: `SELECT m.task_id, count(*)::int AS unread FROM task_messages m JOIN tasks t ON t.id = m.task_id AND t.assignee_id = $1 ${SUMMARY_TAIL}`,
  // Admins may read every conversation; they count the ones they have joined (opened or written in).
  joined: `SELECT m.task_id, count(*)::int AS unread FROM task_messages m
            WHERE EXISTS (SELECT 1 FROM task_message_reads j WHERE j.user_id = $1 AND j.task_id = m.task_id)
              AND m.author_id <> $1 AND m.deleted_at IS NULL
              AND m.seq > (SELECT j.seen_seq FROM task_message_reads j WHERE j.user_id = $1 AND j.task_id = m.task_id)
            GROUP BY m.task_id ORDER BY max(m.created_at) DESC LIMIT 500`,
} as const;

export type UnreadScope = { kind: 'organization'; organizationId: string } | { kind: 'assignee' } | { kind: 'joined' };

/** task_message_reads: each user's seen mark per task, and the unread counts measured from it. */
@Injectable()
export class TaskMessageReadsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Moves the mark forward only: a late or repeated "seen" never takes it back. */
  async markSeen(userId: string, taskId: string, seq: number, m: Queryable = this.ds): Promise<number> {
    const rows = rowsOf<{ seen_seq: number }>(
      await query(
        m,
        `INSERT INTO task_message_reads (user_id, task_id, seen_seq) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, task_id) DO UPDATE SET seen_seq = GREATEST(task_message_reads.seen_seq, EXCLUDED.seen_seq), seen_at = now()
         RETURNING seen_seq`,
        [userId, taskId, seq],
      ),
    );
    return rows[0]!.seen_seq;
  }

  /** The caller's unread count and seen mark on one task. */
  async forTask(userId: string, taskId: string, m: Queryable = this.ds): Promise<{ unread: number; seenSeq: number }> {
    const [row] = rowsOf<{ unread: number; seen_seq: number }>(await query(m, FOR_TASK_SQL, [userId, taskId]));
    return { unread: row?.unread ?? 0, seenSeq: row?.seen_seq ?? 0 };
  }

  /** Each user's unread count on one task. */
  async forUsers(taskId: string, userIds: readonly string[], m: Queryable = this.ds): Promise<Map<string, number>> {
    if (!userIds.length) return new Map();
    const rows = rowsOf<{ user_id: string; unread: number }>(await m.query(FOR_USERS_SQL, [taskId, userIds]));
    return new Map(rows.map((r) => [r.user_id, r.unread]));
  }

  /** Tasks with unread messages for the reader, in the scope the reader's role gives. */
  async summary(userId: string, scope: UnreadScope): Promise<{ taskId: string; unread: number }[]> {
    const rows =
      scope.kind === 'organization'
        ? await query(this.ds, SUMMARY_SQL.organization, [userId, scope.organizationId])
        : await query(this.ds, SUMMARY_SQL[scope.kind], [userId]);
    return rowsOf<{ task_id: string; unread: number }>(rows).map((r) => ({ taskId: r.task_id, unread: r.unread }));
  }
}
