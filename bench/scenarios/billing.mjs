// 7. GET /api/billing/summary over 100,000 ledger entries, when the endpoint exists.
import { benchPrefix, createBenchDb, insertAssistants, mintToken, startApi } from '../lib/harness.mjs';
import { median, request } from '../lib/load.mjs';
import { row, unavailable } from '../lib/report.mjs';
import { skillsFor } from './claim.mjs';

export const name = 'billing';
const ENTRIES = 100_000;
const ORGANIZATIONS = 20;
const TIMED = 7;
const SCENARIO = 'billing summary over 100,000 ledger entries';

/** Tasks returned on time with their charge and payout (2 entries each), plus some late ones that bill nothing. */
async function seedLedger(db) {
  const orgs = (
    await db.pool.query(
      `WITH o AS (INSERT INTO organizations (name) SELECT 'Bench org ' || g FROM generate_series(1, $1) g RETURNING id)
       INSERT INTO users (email, password_hash, name, role, organization_id)
       SELECT 'bench-' || o.id || '@clients.test', 'x', 'Bench client', 'client', o.id FROM o
       RETURNING id, organization_id`,
      [ORGANIZATIONS],
    )
  ).rows;
  const assistants = await insertAssistants(db, { count: 50, skillsFor, online: false });
  const tasks = ENTRIES / 2;
  await db.pool.query(
    `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency,
                        status, assignee_id, created_at, claimed_at, started_at, returned_at, accepted_at, on_time)
     SELECT c.organization_id, c.id, 'Billed ' || g, 'Done.', 'bookkeeping', 'normal', t0 + interval '1 day', 4500, 'USD',
            'accepted', ($4::uuid[])[1 + g % 50], t0, t0, t0, t0 + interval '1 hour', t0 + interval '2 hours', g % 50 <> 0
       FROM generate_series(1, $1) g
       CROSS JOIN LATERAL (SELECT now() - make_interval(mins => (g * 7) % (28 * 24 * 60)) AS t0) ts
       JOIN unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS c(id, organization_id, n) ON c.n = 1 + g % $5`,
    [Math.ceil(tasks * 1.03), orgs.map((o) => o.id), orgs.map((o) => o.organization_id), assistants.map((a) => a.id), ORGANIZATIONS],
  );
  await db.pool.query(
    `INSERT INTO ledger_entries (task_id, organization_id, assistant_id, kind, amount_cents, currency, created_at)
     SELECT id, organization_id, assignee_id, k.kind::ledger_kind, CASE k.kind WHEN 'charge' THEN price_cents ELSE price_cents - 900 END, currency, returned_at
       FROM (SELECT * FROM tasks WHERE on_time ORDER BY created_at LIMIT $1) t CROSS JOIN (VALUES ('charge'), ('payout')) k(kind)`,
    [tasks],
  );
  await db.pool.query(`VACUUM ANALYZE tasks`);
  await db.pool.query(`VACUUM ANALYZE ledger_entries`);
  return (await db.pool.query(`SELECT count(*)::int AS n FROM ledger_entries`)).rows[0].n;
}

export async function run() {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  const api = await startApi({ db, prefix });
  try {
    const admin = (await db.pool.query(`SELECT id FROM users WHERE role = 'admin' LIMIT 1`)).rows[0];
    const token = await mintToken(db, { id: admin.id, role: 'admin' });
    const probe = await request(api.url, 'GET', '/api/billing/summary', { token });
    if (probe.status === 404) return [unavailable(SCENARIO, 'ms', '< 500 ms', 'not available: GET /api/billing/summary does not exist in this build')];
    if (probe.status !== 200) throw new Error(`billing summary answered ${probe.status}`);

    const n = await seedLedger(db);
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const path = `/api/billing/summary?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const timeApi = async () => {
      const t = performance.now();
      const r = await request(api.url, 'GET', path, { token });
      if (r.status !== 200) throw new Error(`billing summary answered ${r.status}: ${JSON.stringify(r.body)}`);
      return performance.now() - t;
    };
    // The floor for "sum the ledger per organization": one GROUP BY over the same rows, no HTTP.
    const timeSql = async () => {
      const t = performance.now();
      await db.pool.query(
        `SELECT organization_id, currency, kind, count(*), sum(amount_cents) FROM ledger_entries
          WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2, 3`,
        [from, to],
      );
      return performance.now() - t;
    };
    await timeSql();
    await timeApi();
    const api_ = [];
    const sql = [];
    for (let i = 0; i < TIMED; i++) {
      sql.push(await timeSql());
      api_.push(await timeApi());
    }
    console.log(`  billing: ${n} entries; summary ${api_.map((x) => x.toFixed(0)).join(', ')} ms; plain GROUP BY ${sql.map((x) => x.toFixed(0)).join(', ')} ms`);
    return [
      row({
        scenario: `billing summary over ${n.toLocaleString('en')} ledger entries`,
        unit: 'ms',
        value: median(api_),
        baseline: median(sql),
        target: '< 500 ms',
        check: ({ value }) => value < 500,
        note: 'baseline: one plain GROUP BY over the same entries, without HTTP (for scale; the target is absolute)',
        samples: { baseline: sql, scenario: api_ },
      }),
    ];
  } finally {
    await api.stop();
    await db.drop();
    await purge();
  }
}
