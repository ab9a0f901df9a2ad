import type { MigrationInterface, QueryRunner } from 'typeorm';

// Budgets: a monthly budget per organization and per template (null: none),
// the thresholds already announced per budget and month (each once), and the
// seam for member roles: users.org_role, null for assistants and admins.
export class Budgets1764003800000 implements MigrationInterface {
  name = 'Budgets1764003800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN org_role text CHECK (org_role IN ('owner', 'manager', 'member', 'billing'))`);
    // Before roles every client could do everything in its organization: they all keep that.
    await q.query(`UPDATE users SET org_role = 'owner' WHERE role = 'client' AND organization_id IS NOT NULL`);
    // A session reads org_role, so a change of it must drop the cached session like the other columns do.
    await q.query(`DROP TRIGGER users_session_updated ON users`);
    await q.query(`
      CREATE TRIGGER users_session_updated AFTER UPDATE ON users FOR EACH ROW
        WHEN ((OLD.email, OLD.name, OLD.role, OLD.organization_id, OLD.skills, OLD.max_concurrent_tasks, OLD.suspended, OLD.token_version, OLD.org_role)
              IS DISTINCT FROM
              (NEW.email, NEW.name, NEW.role, NEW.organization_id, NEW.skills, NEW.max_concurrent_tasks, NEW.suspended, NEW.token_version, NEW.org_role))
        EXECUTE FUNCTION handoff_user_changed()`);
    await q.query(`ALTER TABLE organizations ADD COLUMN monthly_budget_cents int CHECK (monthly_budget_cents >= 0)`);
    await q.query(`ALTER TABLE templates ADD COLUMN monthly_budget_cents int CHECK (monthly_budget_cents >= 0)`);
    await q.query(`
      CREATE TABLE budget_notices (
        -- The organization's id for its own budget, the template's for a template's.
        scope_id uuid NOT NULL,
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        month text NOT NULL,
        threshold_pct int NOT NULL CHECK (threshold_pct IN (80, 100)),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope_id, month, threshold_pct)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE budget_notices`);
    await q.query(`ALTER TABLE templates DROP COLUMN monthly_budget_cents`);
    await q.query(`ALTER TABLE organizations DROP COLUMN monthly_budget_cents`);
    await q.query(`DROP TRIGGER users_session_updated ON users`);
    await q.query(`
      CREATE TRIGGER users_session_updated AFTER UPDATE ON users FOR EACH ROW
        WHEN ((OLD.email, OLD.name, OLD.role, OLD.organization_id, OLD.skills, OLD.max_concurrent_tasks, OLD.suspended, OLD.token_version)
              IS DISTINCT FROM
              (NEW.email, NEW.name, NEW.role, NEW.organization_id, NEW.skills, NEW.max_concurrent_tasks, NEW.suspended, NEW.token_version))
        EXECUTE FUNCTION handoff_user_changed()`);
    await q.query(`ALTER TABLE users DROP COLUMN org_role`);
  }
}
