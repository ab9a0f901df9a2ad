// 4. Queued tasks announced per second through the API's outbox relay and BullMQ
//    dispatch worker, against BullMQ `add` and an empty worker.
import { Queue, Worker } from 'bullmq';
import { benchPrefix, createBenchDb, DEMO_CLIENT, insertAssistants, mintToken, profiledApi, redisConnection, sleep, startApi, untilSettled, userByEmail } from '../lib/harness.mjs';
import { interleave, request } from '../lib/load.mjs';
import { ratioRow } from '../lib/report.mjs';
import { CATEGORIES, skillsFor } from './claim.mjs';
import { taskBody } from './submit.mjs';

export const name = 'dispatch';
const TASKS = 2_000;
// As the API's DispatchProcessor and DEFAULT_JOB_OPTIONS have them.
const WORKER_CONCURRENCY = 64;
const JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: { age: 3_600, count: 10_000 }, removeOnFail: { age: 14 * 24 * 3_600 } };
const RELAY_BATCH = 200;

/**
 * Tasks committed exactly as submit commits them (task, submit event, outbox
 * row), in one transaction, so the relay has a backlog to move at full speed.
 */
async function commitBacklog(db, client, count) {
  const c = await db.pool.connect();
  try {
    await c.query('BEGIN');
    const { rows } = await c.query(
      `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency)
       SELECT $1, $2, 'Dispatch bench ' || g, 'Follow the standard procedure.', ($3::text[])[1 + g % 10]::task_category, 'normal',
              now() + interval '2 days', 2500, 'USD'
         FROM generate_series(1, $4) g
       RETURNING id, version, status`,
      [client.organization_id, client.id, CATEGORIES, count],
    );
    const ids = rows.map((r) => r.id);
    await c.query(`INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role) SELECT unnest($1::uuid[]), 'submit', NULL, 'queued', $2, 'client'`, [ids, client.id]);
    await c.query(
      `INSERT INTO outbox (topic, payload)
       SELECT 'task', jsonb_build_object('taskId', id, 'version', 1, 'action', 'submit', 'from', NULL, 'to', 'queued') FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  } finally {
    c.release();
  }
}

export async function run({ pairs, profile }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  // The sweep would pick the backlog up on its own clock; the bench starts the clock with a submit instead.
  const env = { RECONCILE_INTERVAL: '1h' };
  // A profiled API is slower: its figures are for reading the profile, not for the table.
  const api = profile?.has(name) ? await profiledApi({ db, prefix, name, env }) : await startApi({ db, prefix, env });
  const dispatchQueue = new Queue('dispatch', { connection: redisConnection(), prefix });
  const baseQueue = new Queue('bench-dispatch', { connection: redisConnection(), prefix });
  let completed = 0;
  const baseWorker = new Worker('bench-dispatch', async () => undefined, { connection: redisConnection(), prefix, concurrency: WORKER_CONCURRENCY });
  baseWorker.on('completed', () => completed++);
  try {
    const client = await userByEmail(db, DEMO_CLIENT);
    const token = await mintToken(db, { id: client.id, role: 'client' });
    // Announce reads who is online with the skill and free capacity: give it a realistic crowd.
    await insertAssistants(db, { count: 50, skillsFor, maxConcurrent: 3, online: true });

    // Done when the outbox is empty (the relay deletes a batch's rows in the transaction that
    // added its jobs) and the dispatch queue has nothing left to run: one announce job carries a
    // relay batch, so jobs are not tasks.
    const viaApi = async (n) => {
      await commitBacklog(db, client, n);
      const started = performance.now();
      const kick = await request(api.url, 'POST', '/api/tasks', { token, body: taskBody() });
      if (kick.status !== 201) throw new Error(`submit answered ${kick.status}`);
      await untilSettled({ db, prefix });
      const { failed } = await dispatchQueue.getJobCounts('failed');
      if (failed) throw new Error(`${failed} dispatch job(s) failed`);
      return (n + 1) / ((performance.now() - started) / 1000);
    };

    const viaBullmq = async (n) => {
      completed = 0;
      const run = Math.random().toString(36).slice(2);
      const started = performance.now();
      // BullMQ at its fastest: one job per task, added in pipelined bulks of a relay batch.
      for (let i = 0; i < n; i += RELAY_BATCH) {
        const batch = [];
        for (let j = i; j < Math.min(n, i + RELAY_BATCH); j++) batch.push({ name: 'dispatch.announce', data: { taskId: `${run}-${j}`, version: 1 }, opts: { ...JOB_OPTIONS, jobId: `announce/${run}-${j}/1` } });
        await baseQueue.addBulk(batch);
      }
      for (let i = 0; i < 12_000 && completed < n; i++) await sleep(10);
      if (completed < n) throw new Error('the empty worker did not finish within two minutes');
      return n / ((performance.now() - started) / 1000);
    };

    await viaBullmq(300);
    await viaApi(300);
    const r = await interleave(pairs, () => viaBullmq(TASKS), () => viaApi(TASKS), { label: 'dispatch' });
    return [
      ratioRow({
        scenario: `dispatch: ${TASKS} queued tasks announced via outbox + BullMQ`,
        unit: 'tasks/s',
        samples: r,
        minRatio: 0.6,
      }),
    ];
  } finally {
    await baseWorker.close();
    await baseQueue.close();
    await dispatchQueue.close();
    await api.stop();
    await db.drop();
    await purge();
  }
}
