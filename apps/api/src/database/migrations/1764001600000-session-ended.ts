import type { MigrationInterface, QueryRunner } from 'typeorm';

// An access token names its session (the refresh-token family it was issued
// with). Ending a session — sign-out, a reused refresh token, a stale family —
// revokes the family's rows; this announces it at commit, however it was made,
// so every API instance refuses the session's access tokens and ends its
// sockets without reading refresh_tokens on each request.
export class SessionEnded1764001600000 implements MigrationInterface {
  name = 'SessionEnded1764001600000';

  async up(q: QueryRunner): Promise<void> {
    // The session check asks "is any row of this family revoked?": a probe of this index, however long the family.
    await q.query(`CREATE INDEX refresh_tokens_revoked_family_idx ON refresh_tokens (family_id) WHERE revoked_at IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION handoff_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- One notice per family and transaction: PostgreSQL folds identical payloads.
        PERFORM pg_notify('handoff_session_ended', NEW.family_id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER refresh_tokens_session_ended AFTER UPDATE OF revoked_at ON refresh_tokens FOR EACH ROW
        WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
        EXECUTE FUNCTION handoff_session_ended()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER refresh_tokens_session_ended ON refresh_tokens`);
    await q.query(`DROP FUNCTION handoff_session_ended()`);
    await q.query(`DROP INDEX refresh_tokens_revoked_family_idx`);
  }
}
