// A schedule run: due schedules rendered from their template into tasks and queued by the periodic pass,
// against plain templated-free submits through POST /api/tasks in the same run.
import { benchPrefix, createBenchDb, DEMO_CLIENT, DEMO_PASSWORD, login, sleep, startApi, untilSettled } from '../lib/harness.mjs';
import { cannon, interleave } from '../lib/load.mjs';
import { ratioRow } from '../lib/report.mjs';
import { taskBody } from './submit.mjs';

export const name = 'schedule';
const CONNECTIONS = 50;
/** Schedules falling due together in each window. */
const BATCH = 1_000;

async function post(url, token, body) {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function run({ pairs, seconds }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  // A short period, so a batch is picked up at once; the rate is read from the runs' own times.
  const api = await startApi({ db, prefix, env: { SCHEDULE_INTERVAL: '1s' } });
  try {
    const token = await login(api.url, DEMO_CLIENT, DEMO_PASSWORD);
    const template = await post(`${api.url}/api/templates`, token, {
      name: 'Weekly bank reconciliation',
      category: 'bookkeeping',
      instructions: 'Open the shared folder, match each invoice to its bank line, flag the ones that do not match.',
      checklist: [{ title: 'Match the lines' }, { title: 'Flag the rest', required: false }],
      deadlineRule: { kind: 'business_hours', hours: 8 },
    });
    // Every minute, so any batch made due now has an occurrence at hand.
    const seed = await post(`${api.url}/api/schedules`, token, { templateId: template.id, rule: { kind: 'cron', expression: '* * * * *', start: new Date(Date.now() - 86_400_000).toISOString() } });
    await post(`${api.url}/api/schedules/${seed.id}/pause`, token, {});

    const body = taskBody();
    const submitLoad = (s = seconds) =>
      cannon({
        url: `${api.url}/api/tasks`,
        connections: CONNECTIONS,
        seconds: s,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => {
        if (r.bad) console.log(`  schedule: ${r.bad} plain submits non-2xx or errors`);
        const settleMs = await untilSettled({ db, prefix });
        return r.ok / (r.seconds + settleMs / 1000);
      });

    let batchNo = 0;
    const scheduleLoad = async () => {
      const tag = `bench-${++batchNo}`;
      // Copies of the seed, due at the current minute; the last batch's are paused so they do not come back.
      await db.pool.query(`UPDATE schedules SET paused_at = now(), paused_reason = 'bench batch done' WHERE paused_at IS NULL`);
      await db.pool.query(
        `INSERT INTO schedules (id, organization_id, template_id, version_id, name, rule, run_time, starts_at, ends_at, inputs, priority, next_run_at, created_by)
         SELECT gen_random_uuid(), organization_id, template_id, version_id, $2 || '-' || n, rule, run_time, starts_at, ends_at, inputs, priority, date_trunc('minute', now()), created_by
           FROM schedules, generate_series(1, $3::int) n WHERE id = $1`,
        [seed.id, tag, BATCH],
      );
      // From the first run's transaction start until every schedule's task is seen (polled 50 ms apart):
      // a run row's created_at is its transaction's start, so spans between rows would miss the last transaction.
      const progress = async () =>
        (
          await db.pool.query(
            `SELECT count(DISTINCT r.schedule_id)::int AS n, COALESCE(extract(epoch FROM clock_timestamp() - min(r.created_at)), 0)::float8 AS span
               FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id WHERE s.name LIKE $1 || '-%' AND r.task_id IS NOT NULL`,
            [tag],
          )
        ).rows[0];
      const until = Date.now() + 120_000;
      let seen;
      while ((seen = await progress()).n < BATCH) {
        if (Date.now() > until) throw new Error(`schedule: only ${seen.n} of ${BATCH} runs within 2 min`);
        await sleep(50);
      }
      const settleMs = await untilSettled({ db, prefix });
      return BATCH / (seen.span + settleMs / 1000);
    };

    await submitLoad(2);
    await scheduleLoad();
    const r = await interleave(pairs, () => submitLoad(), () => scheduleLoad(), { label: 'schedule' });
    const { rows } = await db.pool.query(`SELECT count(*)::int AS runs, count(DISTINCT (schedule_id, scheduled_at))::int AS distinct_runs FROM schedule_runs`);
    console.log(`  schedule: ${rows[0].runs} runs (${rows[0].distinct_runs} distinct), ${BATCH} per window`);
    return [
      ratioRow({
        scenario: `schedule run: ${BATCH} due schedules rendered into tasks and queued, vs POST /api/tasks at 50 connections`,
        unit: 'tasks/s',
        samples: r,
        minRatio: 0.5,
      }),
    ];
  } finally {
    await api.stop();
    await db.drop();
    await purge();
  }
}
