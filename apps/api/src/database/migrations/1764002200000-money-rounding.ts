import type { MigrationInterface, QueryRunner } from 'typeorm';

// The one rounding rule of money in SQL: an amount in cents times a rate in
// basis points, rounded half up to the cent (amounts are never negative). The
// TypeScript twin is `bpsOf` in packages/contracts/src/money.ts; a test checks
// that both agree for every price on the rate card. A single-expression SQL
// function is inlined by the planner, so it costs what the expression did.
export class MoneyRounding1764002200000 implements MigrationInterface {
  name = 'MoneyRounding1764002200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION handoff_bps_of(amount_cents bigint, bps int) RETURNS bigint
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT (amount_cents * bps + 5000) / 10000 $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION handoff_bps_of(bigint, int)`);
  }
}
