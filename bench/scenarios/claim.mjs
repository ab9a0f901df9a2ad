// 3. 50 assistants draining 5,000 queued tasks through claim-next, against a bare
//    FOR UPDATE SKIP LOCKED claim loop with 50 claimers on a copy of the tasks table;
//    and, for scale, the API's own claim statement run alone through pg against the same baseline.
import { API_DIST, apiStatements, benchPrefix, createBenchDb, DEMO_CLIENT, insertAssistants, profiledApi, startApi, untilSettled, userByEmail } from '../lib/harness.mjs';
import { closedLoops, fixedRequest, interleave, median } from '../lib/load.mjs';
import { ratioRow, row } from '../lib/report.mjs';

export const name = 'claim';
const ASSISTANTS = 50;
const TASKS = 5_000;
export const CATEGORIES = ['customer_support', 'email_management', 'telemarketing', 'scheduling', 'data_entry', 'bookkeeping', 'payroll', 'document_management', 'it_support', 'research'];
// Three neighbouring skills each: every category is covered by 15 assistants, none by all.
export const skillsFor = (i) => [0, 1, 2].map((k) => CATEGORIES[(i + k) % CATEGORIES.length]);

/** Queued tasks as submit leaves them (task + its submit event), mixed priorities and deadlines. */
export async function seedQueued(db, table, client, count, { events = table === 'tasks' } = {}) {
  const { rows } = await db.pool.query(
    `INSERT INTO ${table} (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, created_at)
     SELECT $1, $2, 'Bench task ' || g, 'Follow the standard procedure.',
            ($3::text[])[1 + g % 10]::task_category,
            (ARRAY['low','normal','high','urgent'])[1 + (g * 7) % 4]::task_priority,
            now() + make_interval(hours => 2 + (g * 13) % 70),
            2500, 'USD', now() - make_interval(secs => g)
       FROM generate_series(1, $4) g
     RETURNING id`,
    [client.organization_id, client.id, CATEGORIES, count],
  );
  if (events) {
    await db.pool.query(
      `INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role)
       SELECT unnest($1::uuid[]), 'submit', NULL, 'queued', $2, 'client'`,
      [rows.map((r) => r.id), client.id],
    );
  }
  await db.pool.query(`VACUUM ANALYZE ${table}`);
}

export async function run({ pairs, keep, profile }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  let api = await startApi({ db, prefix });
  try {
    const client = await userByEmail(db, DEMO_CLIENT);
    // Capacity far above what a drain gives each assistant, so nobody is turned away for it.
    const assistants = await insertAssistants(db, { count: ASSISTANTS, skillsFor, maxConcurrent: 10_000, online: true });
    await db.pool.query(`UPDATE users SET max_concurrent_tasks = 10000 WHERE role = 'assistant'`);
    await db.pool.query(`CREATE TABLE bench_tasks (LIKE tasks INCLUDING ALL)`);
    const skillSets = assistants.map((_, i) => skillsFor(i));

    const drainApi = async (url = api.url) => {
      await seedQueued(db, 'tasks', client, TASKS);
      const statuses = new Map();
      const connections = assistants.map((a) => fixedRequest(url, 'POST', '/api/tasks/claim-next', { token: a.token }));
      const r = await closedLoops(ASSISTANTS, async (i) => {
        const res = await connections[i].send();
        if (res.status === 200) return true;
        if (res.status !== 204) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        return false;
      }, { deadlineMs: 120_000 }).finally(() => connections.forEach((c) => c.close()));
      if (statuses.size) console.log(`  claim: unexpected answers ${JSON.stringify(Object.fromEntries(statuses))}`);
      const left = (await db.pool.query(`SELECT count(*)::int AS n FROM tasks WHERE status = 'queued'`)).rows[0].n;
      if (left) console.log(`  claim: ${left} tasks left queued`);
      // Sustained: the relay's events and claim-expiry timers for these claims count too, and
      // each run starts from the same table: claimed rows (and their trail) go before the next seed.
      const settleMs = await untilSettled({ db, prefix });
      if (!keep) {
        await db.pool.query(`DELETE FROM task_events WHERE task_id IN (SELECT id FROM tasks WHERE status = 'claimed')`);
        await db.pool.query(`DELETE FROM tasks WHERE status = 'claimed'`);
      }
      return r.done / (r.seconds + settleMs / 1000);
    };

    const drainPg = async () => {
      await seedQueued(db, 'bench_tasks', client, TASKS);
      const r = await closedLoops(ASSISTANTS, async (i) => {
        const { rowCount } = await db.pool.query(
          `UPDATE bench_tasks SET status = 'claimed', assignee_id = $1, claimed_at = now(), version = version + 1, updated_at = now()
            WHERE id = (SELECT id FROM bench_tasks WHERE status = 'queued' AND category = ANY($2::task_category[])
                         ORDER BY priority DESC, deadline ASC, created_at ASC, id ASC LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id`,
          [assistants[i].id, skillSets[i]],
        );
        return rowCount === 1;
      }, { deadlineMs: 120_000 });
      await db.pool.query(`TRUNCATE bench_tasks`);
      return r.done / r.seconds;
    };

    const r = await interleave(pairs, drainPg, () => drainApi(), { label: 'claim' });
    const alone = await statementAlone({ pairs, drainPg });
    if (profile?.has(name)) {
      await api.stop();
      const t = Date.now();
      const prof = await profiledApi({ db, prefix, name });
      api = prof;
      // Start-up and the first drain (warm-up) are in the profile too; the summary skips them.
      const warm = await drainApi(prof.url);
      const skipSeconds = (Date.now() - t) / 1000;
      const rate = await drainApi(prof.url);
      console.log(`  claim: profiled drains ${warm.toFixed(0)}, ${rate.toFixed(0)} claims/s`);
      await prof.stop({ skipSeconds });
      api = { stop: async () => undefined };
    }
    if (keep) console.log(`  claim: kept database ${db.name} for EXPLAIN; drop it with DROP DATABASE ${db.name}`);
    return [
      ratioRow({
        scenario: 'claim-next: 50 assistants draining 5,000 tasks',
        unit: 'claims/s',
        samples: r,
        minRatio: 0.5,
      }),
      row({
        scenario: 'claim-next: the API’s claim statement alone, one claim each, through pg',
        unit: 'claims/s',
        value: median(alone.scenario),
        baseline: median(alone.baseline),
        samples: alone,
        note: 'one claim per call, as the API claimed before group commit (capacity lock, claim, event and outbox row; prepared, as the API sends it), with no HTTP, relay or Redis; same claimers, rows and baseline: the API above beats it by committing many together',
      }),
    ];
  } finally {
    await api.stop();
    if (keep) {
      await db.keep();
    } else {
      await db.drop();
    }
    await purge();
  }
}

/**
 * The API's own claim-next statement, one assistant per call, 50 claimers on a
 * pool of the same size draining the same 5,000 rows, against its own
 * database, so no API relays the outbox rows it leaves. Interleaved with the
 * same plain claim loop as the scenario.
 */
async function statementAlone({ pairs, drainPg }) {
  const { CLAIM_NEXT_SQL } = await import(`${API_DIST}/tasks/tasks.repository.js`);
  const db = await createBenchDb();
  try {
    const client = await userByEmail(db, DEMO_CLIENT);
    const assistants = await insertAssistants(db, { count: ASSISTANTS, skillsFor, maxConcurrent: 10_000, online: true });
    await db.pool.query(`UPDATE users SET max_concurrent_tasks = 10000 WHERE role = 'assistant'`);
    const api = await apiStatements(db);
    const drainSql = async () => {
      await seedQueued(db, 'tasks', client, TASKS);
      const r = await closedLoops(ASSISTANTS, async (i) => {
        const [claimed] = await api.query(CLAIM_NEXT_SQL, [[assistants[i].id], [skillsFor(i).join(',')]]);
        return Boolean(claimed?.task);
      }, { deadlineMs: 120_000 });
      await db.pool.query(`DELETE FROM task_events WHERE task_id IN (SELECT id FROM tasks WHERE status = 'claimed')`);
      await db.pool.query(`DELETE FROM tasks WHERE status = 'claimed'`);
      await db.pool.query(`TRUNCATE outbox`);
      return r.done / r.seconds;
    };
    return await interleave(pairs, drainPg, drainSql, { label: 'claim statement alone' });
  } finally {
    await db.drop();
  }
}
