import type { MigrationInterface, QueryRunner } from 'typeorm';

// Each API instance keeps the users it has just authenticated for a moment
// (one query fewer per request). A change that can end or alter a session —
// suspension, a revoked token version, a new role, skills or capacity, a
// deleted account — is announced on this channel at commit, however it was
// made (the API, a script, psql), and every instance drops its copy.
export class SessionNotify1764001100000 implements MigrationInterface {
  name = 'SessionNotify1764001100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION handoff_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('handoff_user_changed', OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER users_session_updated AFTER UPDATE ON users FOR EACH ROW
        WHEN ((OLD.email, OLD.name, OLD.role, OLD.organization_id, OLD.skills, OLD.max_concurrent_tasks, OLD.suspended, OLD.token_version)
              IS DISTINCT FROM
              (NEW.email, NEW.name, NEW.role, NEW.organization_id, NEW.skills, NEW.max_concurrent_tasks, NEW.suspended, NEW.token_version))
        EXECUTE FUNCTION handoff_user_changed()`);
    await q.query(`CREATE TRIGGER users_session_deleted AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION handoff_user_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER users_session_deleted ON users`);
    await q.query(`DROP TRIGGER users_session_updated ON users`);
    await q.query(`DROP FUNCTION handoff_user_changed()`);
  }
}
