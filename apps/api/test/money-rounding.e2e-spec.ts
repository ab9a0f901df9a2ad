import { bpsOf, PRIORITY_MULTIPLIER_BPS } from '@handoff/contracts';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { cloneTemplate, dropDatabase } from './support/db.js';

/** The rate card's range (rateCardBody) and the widest priority multiplier. */
const MAX_BASE = 10_000_000;
const MAX_PRICE = MAX_BASE * Math.max(...Object.values(PRIORITY_MULTIPLIER_BPS)) / 10_000;

/**
 * Money has one rounding rule, written twice: `handoff_bps_of` for the SQL
 * that prices and bills, `bpsOf` for TypeScript. These hold them equal.
 */
describe('money rounding: SQL and TypeScript agree', () => {
  const name = `handoff_t_${randomBytes(5).toString('hex')}`;
  let db: pg.Client;
  beforeAll(async () => {
    db = new pg.Client({ connectionString: await cloneTemplate(name) });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await dropDatabase(name);
  });

  /** The pairs where SQL's answer differs from TypeScript's, as [amount, bps, sql, ts]. */
  async function disagreements(pairs: [number, number][]): Promise<[number, number, number, number][]> {
    const { rows } = await db.query<{ a: string; b: number; sql: string; ts: string }>(
      `SELECT a, b, handoff_bps_of(a, b) AS sql, ts FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS x(a, b, ts) WHERE handoff_bps_of(a, b) <> ts`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1]), pairs.map(([a, b]) => bpsOf(a, b))],
    );
    return rows.map((r) => [Number(r.a), r.b, Number(r.sql), Number(r.ts)]);
  }

  it('prices every base price up to $1,000 at every priority, and the rate card’s edges', async () => {
    const pairs: [number, number][] = [];
    const bases = [...Array.from({ length: 100_000 }, (_, i) => i + 1), MAX_BASE - 1, MAX_BASE];
    for (const base of bases) for (const bps of Object.values(PRIORITY_MULTIPLIER_BPS)) pairs.push([base, bps]);
    expect(await disagreements(pairs)).toEqual([]);
  });

  it('takes the fee of every price up to $600 at the common rates, and at every rate on the half-cent edges', async () => {
    const pairs: [number, number][] = [];
    for (let price = 0; price <= 60_000; price++) for (const fee of [0, 1, 1250, 1500, 2000, 3333, 9999, 10_000]) pairs.push([price, fee]);
    // Where price × rate ends in exactly half a cent, both must round up.
    for (let bps = 0; bps <= 10_000; bps++) for (const price of [1, 2, 5, 50, 125, 9_999, MAX_PRICE]) pairs.push([price, bps]);
    expect(await disagreements(pairs)).toEqual([]);
  });

  it('agrees for any price and rate on the whole range', async () => {
    const pairs = fc.sample(fc.tuple(fc.integer({ min: 0, max: MAX_PRICE }), fc.integer({ min: 0, max: 10_000 })), 20_000);
    expect(await disagreements(pairs)).toEqual([]);
  });
});
