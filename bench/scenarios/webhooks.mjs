// Webhook deliveries per second: a backlog of submitted tasks relayed, signed
// and POSTed to a local receiver by the API, against a bare BullMQ worker
// POSTing the same payload to the same receiver at the same concurrency.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Queue, Worker } from 'bullmq';
import { benchPrefix, createBenchDb, DEMO_CLIENT, mintToken, redisConnection, sleep, startApi, userByEmail } from '../lib/harness.mjs';
import { interleave, request } from '../lib/load.mjs';
import { ratioRow } from '../lib/report.mjs';
import { CATEGORIES } from './claim.mjs';
import { taskBody } from './submit.mjs';

export const name = 'webhooks';
const DELIVERIES = 2_000;
// As the API's WebhooksProcessor has it.
const WORKER_CONCURRENCY = 16;
const JOB_OPTIONS = { attempts: 10, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: { age: 3_600, count: 10_000 }, removeOnFail: { age: 14 * 24 * 3_600 } };

/** Answers 204 to everything and counts distinct `webhook-id`s; keeps one body to replay in the baseline. */
async function startReceiver() {
  const seen = new Set();
  let sample = null;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.add(req.headers['webhook-id']);
      sample ??= Buffer.concat(chunks).toString('utf8');
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    get count() {
      return seen.size;
    },
    get sample() {
      return sample;
    },
    reset: () => seen.clear(),
    close: () => new Promise((r) => server.close(r)),
  };
}

async function until(cond, what, timeoutMs = 180_000) {
  const stop = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > stop) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(10);
  }
}

/** Tasks committed as submit commits them (task, its `task.submitted` outbox row), so the relay has a backlog. */
async function commitBacklog(db, client, count) {
  await db.pool.query(
    `WITH t AS (
       INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency)
       SELECT $1, $2, 'Webhook bench ' || g, 'Follow the standard procedure.', ($3::text[])[1 + g % 10]::task_category, 'normal', now() + interval '2 days', 2500, 'USD'
         FROM generate_series(1, $4) g
       RETURNING id, version, created_by
     ), e AS (
       INSERT INTO task_events (task_id, action, from_status, to_status, actor_id, actor_role) SELECT id, 'submit', NULL, 'queued', created_by, 'client' FROM t
     )
     INSERT INTO outbox (topic, payload)
     SELECT 'task.submitted', jsonb_build_object('taskId', id, 'version', version, 'actor', jsonb_build_object('id', created_by, 'role', 'client')) FROM t`,
    [client.organization_id, client.id, CATEGORIES, count],
  );
}

export async function run({ pairs }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  // The receiver is on loopback; the sweep would pick the backlog up on its own clock.
  const api = await startApi({ db, prefix, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', RECONCILE_INTERVAL: '1h' } });
  const receiver = await startReceiver();
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: WORKER_CONCURRENCY });
  const secret = randomBytes(24);
  let payload = '';
  const baseQueue = new Queue('bench-webhooks', { connection: redisConnection(), prefix });
  // The floor: sign the body as Standard Webhooks does and POST it, nothing stored.
  const baseWorker = new Worker(
    'bench-webhooks',
    (job) =>
      new Promise((resolve, reject) => {
        const ts = Math.floor(Date.now() / 1000);
        const sig = createHmac('sha256', secret).update(`${job.id}.${ts}.${payload}`).digest('base64');
        const req = http.request(receiver.url, { method: 'POST', agent: keepAlive, headers: { 'content-type': 'application/json', 'webhook-id': job.id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(payload);
      }),
    { connection: redisConnection(), prefix, concurrency: WORKER_CONCURRENCY },
  );
  try {
    const client = await userByEmail(db, DEMO_CLIENT);
    const token = await mintToken(db, { id: client.id, role: 'client' });
    const hook = await request(api.url, 'POST', '/api/webhooks', { token, body: { url: receiver.url, events: ['task.submitted'] } });
    if (hook.status !== 201) throw new Error(`registering the endpoint answered ${hook.status}`);

    // From the kick until the receiver has every delivery: relay, delivery rows, signing, POST, the attempt log.
    const viaApi = async (n) => {
      receiver.reset();
      await commitBacklog(db, client, n);
      const started = performance.now();
      const kick = await request(api.url, 'POST', '/api/tasks', { token, body: taskBody() });
      if (kick.status !== 201) throw new Error(`submit answered ${kick.status}`);
      await until(() => receiver.count >= n + 1, `${n + 1} deliveries`);
      return (n + 1) / ((performance.now() - started) / 1000);
    };

    const viaBullmq = async (n) => {
      receiver.reset();
      const run = Math.random().toString(36).slice(2);
      const started = performance.now();
      for (let i = 0; i < n; i += 200) {
        const batch = [];
        for (let j = i; j < Math.min(n, i + 200); j++) batch.push({ name: 'webhooks.deliver', data: { deliveryId: `${run}-${j}` }, opts: { ...JOB_OPTIONS, jobId: `webhook/${run}-${j}` } });
        await baseQueue.addBulk(batch);
      }
      await until(() => receiver.count >= n, `${n} bare deliveries`);
      return n / ((performance.now() - started) / 1000);
    };

    // Warm both, and take a real delivery's body for the baseline to send.
    await viaApi(200);
    payload = receiver.sample;
    await viaBullmq(200);
    const r = await interleave(pairs, () => viaBullmq(DELIVERIES), () => viaApi(DELIVERIES), { label: 'webhooks' });
    return [
      ratioRow({
        scenario: `webhooks: ${DELIVERIES} deliveries to a local receiver`,
        unit: 'deliveries/s',
        samples: r,
        minRatio: 0.5,
      }),
    ];
  } finally {
    await baseWorker.close();
    await baseQueue.close();
    keepAlive.destroy();
    await receiver.close();
    await api.stop();
    await db.drop();
    await purge();
  }
}
