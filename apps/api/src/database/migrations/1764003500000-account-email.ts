import type { MigrationInterface, QueryRunner } from 'typeorm';

// Account mail: single-use tokens for a password reset and for verifying an
// address (only their SHA-256 is kept), and when each address was verified;
// and the task version whose review reminder went out, so it goes out once.
export class AccountEmail1764003500000 implements MigrationInterface {
  name = 'AccountEmail1764003500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('password_reset', 'verify_email')),
        token_hash text NOT NULL UNIQUE,
        -- The address the mail went to: a token for an address the account no longer has verifies nothing.
        email text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose, created_at DESC)`);
    // Accounts from before verification existed were made by admins or the seed: take them as verified.
    await q.query(`ALTER TABLE users ADD COLUMN email_verified_at timestamptz`);
    await q.query(`UPDATE users SET email_verified_at = created_at`);
    await q.query(`ALTER TABLE tasks ADD COLUMN review_reminded_version int`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN review_reminded_version`);
    await q.query(`ALTER TABLE users DROP COLUMN email_verified_at`);
    await q.query(`DROP TABLE email_tokens`);
  }
}
