// 2. Authenticated task submission against plain single-row INSERTs into a copy of the tasks table,
//    and, for scale, the API's own submit statement run alone through pg against the same baseline.
import { API_DIST, apiStatements, benchPrefix, createBenchDb, DEMO_CLIENT, DEMO_PASSWORD, login, POOL_SIZE, profiledApi, startApi, untilSettled, userByEmail } from '../lib/harness.mjs';
import { cannon, closedLoops, interleave, median } from '../lib/load.mjs';
import { ratioRow, row } from '../lib/report.mjs';

export const name = 'submit';
const CONNECTIONS = 50;

export function taskBody(title = 'Reconcile last week’s invoices') {
  return {
    title,
    instructions: 'Open the shared folder, match each invoice to its bank line, flag the ones that do not match.',
    category: 'bookkeeping',
    priority: 'normal',
    deadline: new Date(Date.now() + 2 * 86_400_000).toISOString(),
  };
}

export async function run({ pairs, seconds, profile }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  const api = await startApi({ db, prefix });
  try {
    const token = await login(api.url, DEMO_CLIENT, DEMO_PASSWORD);
    const client = await userByEmail(db, DEMO_CLIENT);
    // Same columns, defaults, checks and indexes as tasks (LIKE copies all but foreign keys).
    await db.pool.query(`CREATE TABLE bench_tasks (LIKE tasks INCLUDING ALL)`);
    const body = taskBody();
    const accepted = [];
    const settling = [];
    const apiLoad = (s = seconds, base = api.url) =>
      cannon({
        url: `${base}/api/tasks`,
        connections: CONNECTIONS,
        seconds: s,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => {
        if (r.bad) console.log(`  submit: ${r.bad} non-2xx or errors`);
        // Sustained, not accepted: the relay, timers and announces the window left behind count too.
        const settleMs = await untilSettled({ db, prefix });
        accepted.push(r.perSecond);
        settling.push(settleMs);
        return r.ok / (r.seconds + settleMs / 1000);
      });
    const params = [client.organization_id, client.id, body.title, body.instructions, body.category, body.priority, body.deadline, 4500, 'USD'];
    // Same pool size as the API's DATABASE_POOL_SIZE, 50 callers sharing it like 50 connections do.
    const pgLoad = (s = seconds) =>
      closedLoops(
        CONNECTIONS,
        async () => {
          await db.pool.query(
            `INSERT INTO bench_tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
            params,
          );
        },
        { deadlineMs: s * 1000 },
      ).then((r) => r.perSecond);
    await pgLoad(1);
    await apiLoad(2);
    const r = await interleave(pairs, () => pgLoad(), () => apiLoad(), { label: 'submit' });
    const alone = await statementAlone({ pairs, seconds, body, pgLoad });
    const { rows } = await db.pool.query(`SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM bench_tasks)::int AS bench`);
    console.log(`  submit: ${rows[0].tasks} tasks through the API, ${rows[0].bench} plain inserts (pool ${POOL_SIZE})`);
    console.log(`  submit: accepted ${accepted.slice(-pairs).map((v) => v.toFixed(0)).join(', ')} tasks/s in the windows; settled ${settling.slice(-pairs).map((v) => v.toFixed(0)).join(', ')} ms after each`);

    if (profile?.has(name)) {
      await api.stop();
      const t = Date.now();
      const prof = await profiledApi({ db, prefix, name });
      // Start-up and warm-up are in the profile too; the summary skips them.
      const skip = (Date.now() - t) / 1000 + 2;
      await apiLoad(2, prof.url);
      const rate = await apiLoad(10, prof.url);
      console.log(`  submit: profiled run ${rate.toFixed(0)} tasks/s`);
      await prof.stop({ skipSeconds: skip });
    }
    return [
      ratioRow({
        scenario: 'submit: POST /api/tasks, 50 connections',
        unit: 'tasks/s',
        samples: r,
        minRatio: 0.5,
      }),
      row({
        scenario: 'submit: the API’s submit statement alone, one task each, through pg',
        unit: 'tasks/s',
        value: median(alone.scenario),
        baseline: median(alone.baseline),
        samples: alone,
        note: 'one submission per statement, as the API sent them before group commit (task, event and outbox row; prepared, as the API sends it), with no HTTP, relay or Redis; same pool, callers and baseline: the API above beats it by committing many together',
      }),
    ];
  } finally {
    await api.stop();
    await db.drop();
    await purge();
  }
}

/**
 * The API's own submit statement (its SQL and parameters, from the build),
 * 50 callers on a pool of the same size, against its own database, so no API
 * relays the outbox rows it leaves. Interleaved with the same plain-insert
 * baseline as the scenario.
 */
async function statementAlone({ pairs, seconds, body, pgLoad }) {
  const { SUBMIT_SQL, submission, submitParams } = await import(`${API_DIST}/tasks/tasks.repository.js`);
  const db = await createBenchDb();
  try {
    const client = await userByEmail(db, DEMO_CLIENT);
    const user = { organizationId: client.organization_id, id: client.id };
    const api = await apiStatements(db);
    const sqlLoad = () =>
      closedLoops(CONNECTIONS, () => api.query(SUBMIT_SQL, submitParams([submission(user, body)])), { deadlineMs: seconds * 1000 }).then((r) => r.perSecond);
    return await interleave(pairs, () => pgLoad(), () => sqlLoad(), { label: 'submit statement alone' });
  } finally {
    await db.drop();
  }
}
