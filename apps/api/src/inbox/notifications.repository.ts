import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { cursorColumn, type Cursor } from '../common/http/pagination.js';
import { deletedCount, query, type Queryable } from '../database/sql.js';
import type { Notification } from './notification.entity.js';

/** An entry to file: its recipient, what it is about, and the cause that makes it unique. */
export type NewNotification = Pick<Notification, 'userId' | 'kind' | 'taskId' | 'title' | 'body' | 'cause'>;

export type NotificationRow = Notification & { cursor_at: string };

const COLUMNS = `id, user_id AS "userId", kind, task_id AS "taskId", title, body, cause, created_at AS "createdAt", read_at AS "readAt"`;

/** notifications: each user's inbox. */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Files the entries whose cause is new; answers only those (a redelivered batch files none). */
  async file(entries: readonly NewNotification[], m: Queryable = this.ds): Promise<Notification[]> {
    if (!entries.length) return [];
    return query<Notification>(
      m,
      // clock_timestamp() per row, not the transaction's now(): a batch's notices keep the order their events committed in.
      `INSERT INTO notifications (user_id, kind, task_id, title, body, cause, created_at)
       SELECT u, k, t, ti, b, c, clock_timestamp() FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(u, k, t, ti, b, c, n)
        ORDER BY n
       ON CONFLICT (cause) DO NOTHING
       RETURNING ${COLUMNS}`,
      [entries.map((e) => e.userId), entries.map((e) => e.kind), entries.map((e) => e.taskId), entries.map((e) => e.title), entries.map((e) => e.body), entries.map((e) => e.cause)],
    );
  }

  /** Newest first, paged on (created_at, id). */
  async page(userId: string, opts: { unread: boolean; cursor: Cursor | null; limit: number }): Promise<NotificationRow[]> {
    return query<NotificationRow>(
      this.ds,
      `SELECT ${COLUMNS}, ${cursorColumn('n')} FROM notifications n
        WHERE user_id = $1 AND (NOT $2::boolean OR read_at IS NULL)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [userId, opts.unread, opts.cursor?.at ?? null, opts.cursor?.id ?? null, opts.limit + 1],
    );
  }

  async unread(userIds: readonly string[], m: Queryable = this.ds): Promise<Map<string, number>> {
    const rows = await query<{ userId: string; n: number }>(
      m,
      `SELECT u AS "userId", (SELECT count(*) FROM notifications WHERE user_id = u AND read_at IS NULL)::int AS n FROM unnest($1::uuid[]) AS u`,
      [userIds],
    );
    return new Map(rows.map((r) => [r.userId, r.n]));
  }

  /** False when it is not this user's (or does not exist): the caller answers 404 either way. */
  async markRead(userId: string, id: string): Promise<boolean> {
    const rows = await query<{ id: string }>(
      this.ds,
      `UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING id`,
      [id, userId],
    );
    return rows.length === 1;
  }

  async markAllRead(userId: string): Promise<number> {
    return deletedCount(await this.ds.query(`UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`, [userId]));
  }
}
