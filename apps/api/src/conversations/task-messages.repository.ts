import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { cursorColumn } from '../common/http/pagination.js';
import { rowMapper } from '../database/rows.js';
import { advisoryXactLock, query, rowsOf, type Queryable } from '../database/sql.js';
import { MESSAGE_CHANGED_EVENTS, MESSAGE_POSTED_EVENTS } from '../events/outbox.repository.js';
import { TaskMessage, type TaskMessageWithAuthor } from './task-message.entity.js';

const toMessage = rowMapper<TaskMessage, Pick<TaskMessageWithAuthor, 'authorName' | 'cursorAt'>>(TaskMessage, { author_name: 'authorName', cursor_at: 'cursorAt' });

const WITH_AUTHOR = `SELECT m.*, u.name AS author_name, ${cursorColumn('m')} FROM m LEFT JOIN users u ON u.id = m.author_id`;

// The next seq is read after the task's conversation lock is held, in a statement of its own snapshot,
// so concurrent posts to one task take 1, 2, 3… in the order they commit.
const POST_SQL = `
  WITH m AS (
    INSERT INTO task_messages (id, task_id, seq, author_id, author_role, body, mentions)
    SELECT $1, $2, COALESCE((SELECT max(seq) FROM task_messages WHERE task_id = $2), 0) + 1, $3, $4, $5, $6::uuid[]
    RETURNING *),
  ob AS (${MESSAGE_POSTED_EVENTS})
  ${WITH_AUTHOR}`;

// Only the author, only a message not deleted, only within the window: otherwise nothing changes.
const EDIT_SQL = `
  WITH m AS (
    UPDATE task_messages SET body = $4, mentions = $5::uuid[], version = version + 1, edited_at = clock_timestamp()
     WHERE id = $1 AND task_id = $2 AND author_id = $3 AND deleted_at IS NULL AND created_at > clock_timestamp() - make_interval(secs => $6::double precision / 1000)
    RETURNING *),
  ob AS (${MESSAGE_CHANGED_EVENTS})
  ${WITH_AUTHOR}`;

const DELETE_SQL = `
  WITH m AS (
    UPDATE task_messages SET body = NULL, mentions = '{}', version = version + 1, deleted_at = clock_timestamp()
     WHERE id = $1 AND task_id = $2 AND author_id = $3 AND deleted_at IS NULL
    RETURNING *),
  ob AS (${MESSAGE_CHANGED_EVENTS})
  ${WITH_AUTHOR}`;

// Newest first from the cursor's message back (its seq, looked up within the same task).
const PAGE_SQL = `
  WITH m AS (
    SELECT * FROM task_messages
     WHERE task_id = $1 AND ($2::uuid IS NULL OR seq < COALESCE((SELECT seq FROM task_messages WHERE id = $2 AND task_id = $1), 0))
     ORDER BY seq DESC LIMIT $3)
  ${WITH_AUTHOR} ORDER BY m.seq DESC`;

export interface NewMessage {
  id: string;
  taskId: string;
  authorId: string;
  authorRole: string;
  body: string;
  mentions: string[];
}

/** task_messages: a task's conversation. Writes carry their `message.*` event in the same statement. */
@Injectable()
export class TaskMessagesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Inside the caller's transaction: takes the task's conversation lock (held to the commit), then the next seq. */
  async post(m: EntityManager, msg: NewMessage): Promise<TaskMessageWithAuthor> {
    await advisoryXactLock(m, `task-messages:${msg.taskId}`);
    const rows = rowsOf<Record<string, unknown>>(await query(m, POST_SQL, [msg.id, msg.taskId, msg.authorId, msg.authorRole, msg.body, msg.mentions]));
    return toMessage(rows[0]!);
  }

  async edit(e: { id: string; taskId: string; authorId: string; body: string; mentions: string[]; windowMs: number }, m: Queryable = this.ds): Promise<TaskMessageWithAuthor | null> {
    const rows = rowsOf<Record<string, unknown>>(await query(m, EDIT_SQL, [e.id, e.taskId, e.authorId, e.body, e.mentions, e.windowMs]));
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async delete(d: { id: string; taskId: string; authorId: string }, m: Queryable = this.ds): Promise<TaskMessageWithAuthor | null> {
    const rows = rowsOf<Record<string, unknown>>(await query(m, DELETE_SQL, [d.id, d.taskId, d.authorId]));
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async byId(taskId: string, id: string, m: Queryable = this.ds): Promise<TaskMessageWithAuthor | null> {
    const rows = rowsOf<Record<string, unknown>>(await query(m, `WITH m AS (SELECT * FROM task_messages WHERE id = $1 AND task_id = $2) ${WITH_AUTHOR}`, [id, taskId]));
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async byIds(ids: readonly string[], m: Queryable = this.ds): Promise<TaskMessageWithAuthor[]> {
    const rows = rowsOf<Record<string, unknown>>(await m.query(`WITH m AS (SELECT * FROM task_messages WHERE id = ANY($1::uuid[])) ${WITH_AUTHOR}`, [ids]));
    return rows.map(toMessage);
  }

  /** Up to `limit` messages before the cursor's, newest first. */
  async page(taskId: string, beforeId: string | null, limit: number): Promise<TaskMessageWithAuthor[]> {
    return rowsOf<Record<string, unknown>>(await query(this.ds, PAGE_SQL, [taskId, beforeId, limit])).map(toMessage);
  }
}
