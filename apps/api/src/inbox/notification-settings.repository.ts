import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Category, NotificationChannel, NotificationKind } from '@handoff/contracts';
import type { DataSource } from 'typeorm';
import { query, rowsOf, type Queryable } from '../database/sql.js';
import { qualifiedSql } from '../qualifications/assistant-qualifications.repository.js';

export interface ChannelChoice {
  userId: string;
  kind: NotificationKind;
  channel: NotificationChannel;
}

/** notification_settings: the channels users chose; a kind without a row has its default. */
@Injectable()
export class NotificationSettingsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async forUsers(userIds: readonly string[], m: Queryable = this.ds): Promise<ChannelChoice[]> {
    if (!userIds.length) return [];
    // Planned on each call, not prepared: the relay calls it with lists of any length.
    return rowsOf<ChannelChoice>(await m.query(`SELECT user_id AS "userId", kind, channel FROM notification_settings WHERE user_id = ANY($1::uuid[])`, [userIds]));
  }

  async set(userId: string, choices: readonly { kind: NotificationKind; channel: NotificationChannel }[]): Promise<void> {
    if (!choices.length) return;
    await query(
      this.ds,
      `INSERT INTO notification_settings (user_id, kind, channel)
       SELECT $1, k, c FROM unnest($2::text[], $3::text[]) AS x(k, c)
       ON CONFLICT (user_id, kind) DO UPDATE SET channel = EXCLUDED.channel, updated_at = now()`,
      [userId, choices.map((c) => c.kind), choices.map((c) => c.channel)],
    );
  }

  /** Assistants who asked to hear of new work in these categories (in the app or by mail) and may take it (the skill, and the qualification where one is required), once per category they have. */
  async optedInFor(categories: readonly Category[], m: Queryable = this.ds): Promise<(ChannelChoice & { category: Category })[]> {
    return query<ChannelChoice & { category: Category }>(
      m,
      `SELECT s.user_id AS "userId", s.kind, s.channel, c.category FROM notification_settings s JOIN users u ON u.id = s.user_id
        CROSS JOIN unnest($1::task_category[]) AS c(category)
        WHERE s.kind = 'task_available' AND s.channel <> 'off'
          AND u.role = 'assistant' AND NOT u.suspended AND c.category = ANY(u.skills)
          AND ${qualifiedSql('u.id', 'c.category')}`,
      [categories],
    );
  }
}
