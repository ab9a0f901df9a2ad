import type { MigrationInterface, QueryRunner } from 'typeorm';

// Two-factor sign-in: a TOTP secret per user (sealed with SECRETS_KEYS), its single-use recovery codes
// (HMAC under TWO_FACTOR_PEPPER), the devices that may skip the second step, and the organization
// policy that requires it of members. A change to any of them alters what a session may do, so each
// is announced on the users' change channel at commit and every instance drops its kept copy.
export class TwoFactor1764002700000 implements MigrationInterface {
  name = 'TwoFactor1764002700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_two_factor (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        secret_sealed text NOT NULL,
        enabled_at timestamptz,
        -- The time step of the last code accepted: it and earlier steps are refused (no replay).
        last_used_step bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE two_factor_recovery_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, code_hash)
      )`);
    await q.query(`
      CREATE TABLE two_factor_devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        -- A password change or a suspension bumps users.token_version: the device no longer skips the step.
        token_version int NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
    await q.query(`CREATE INDEX two_factor_devices_user_idx ON two_factor_devices (user_id)`);
    await q.query(`ALTER TABLE organizations ADD COLUMN require_two_factor boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE FUNCTION handoff_two_factor_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('handoff_user_changed', COALESCE(NEW.user_id, OLD.user_id)::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER user_two_factor_changed AFTER INSERT OR DELETE OR UPDATE OF enabled_at ON user_two_factor
        FOR EACH ROW EXECUTE FUNCTION handoff_two_factor_changed()`);
    await q.query(`
      CREATE FUNCTION handoff_org_two_factor_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('handoff_user_changed', u.id::text) FROM users u WHERE u.organization_id = NEW.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER organizations_two_factor_changed AFTER UPDATE OF require_two_factor ON organizations
        FOR EACH ROW WHEN (OLD.require_two_factor IS DISTINCT FROM NEW.require_two_factor)
        EXECUTE FUNCTION handoff_org_two_factor_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER organizations_two_factor_changed ON organizations`);
    await q.query(`DROP FUNCTION handoff_org_two_factor_changed()`);
    await q.query(`DROP TRIGGER user_two_factor_changed ON user_two_factor`);
    await q.query(`DROP FUNCTION handoff_two_factor_changed()`);
    await q.query(`ALTER TABLE organizations DROP COLUMN require_two_factor`);
    await q.query(`DROP TABLE two_factor_devices`);
    await q.query(`DROP TABLE two_factor_recovery_codes`);
    await q.query(`DROP TABLE user_two_factor`);
  }
}
