import type { MigrationInterface, QueryRunner } from 'typeorm';

// Each user's inbox and their channel per kind of notice. An entry's `cause` (the
// domain event and the recipient) is unique, so a relay batch handed over twice
// files nothing twice.
export class Inbox1764004000000 implements MigrationInterface {
  name = 'Inbox1764004000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind text NOT NULL,
        task_id uuid REFERENCES tasks(id) ON DELETE CASCADE,
        title text NOT NULL CHECK (char_length(title) <= 500),
        body text NOT NULL CHECK (char_length(body) <= 2000),
        cause text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz
      )`);
    // The inbox reads newest first per user; the badge counts the unread ones only.
    await q.query(`CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX notifications_user_unread_idx ON notifications (user_id) WHERE read_at IS NULL`);
    await q.query(`
      CREATE TABLE notification_settings (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('app', 'email', 'off')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, kind)
      )`);
    // Who opted in to hear of new work: looked up per submitted category, among few rows.
    await q.query(`CREATE INDEX notification_settings_kind_idx ON notification_settings (kind) WHERE channel <> 'off'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_settings`);
    await q.query(`DROP TABLE notifications`);
  }
}
