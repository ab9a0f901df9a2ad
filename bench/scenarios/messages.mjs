// A message posted on a task's conversation → delivered to the other party's
// socket, against a bare Socket.IO server relaying a POST to the same socket.
import { io } from 'socket.io-client';
import { benchPrefix, createBenchDb, DEMO_CLIENT, freePort, insertAssistants, mintToken, nowMs, rand, spawnNode, startApi, userByEmail } from '../lib/harness.mjs';
import { interleave, median, percentile, request } from '../lib/load.mjs';
import { row } from '../lib/report.mjs';
import { taskBody } from './submit.mjs';

export const name = 'messages';
const RATE = 20;
const COUNT = 200;
const SETTLE_MS = 30_000;

/** One socket that keeps each run's latencies: the body carries `msg:<run>:<seq>:<sent at>`. */
async function listener(url, token) {
  const socket = io(url, { auth: token ? { token } : {}, transports: ['websocket'], forceNew: true });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  let run = null;
  socket.on('message.created', (p) => {
    const at = nowMs();
    const [tag, id, seq, sent] = String(p?.message?.body ?? '').split(':');
    if (!run || tag !== 'msg' || id !== run.id || run.seen.has(seq)) return;
    run.seen.add(seq);
    run.latencies.push(at - Number(sent));
  });
  return {
    start: () => (run = { id: rand(), seen: new Set(), latencies: [] }),
    async stop(expected) {
      const until = nowMs() + SETTLE_MS;
      while (run.seen.size < expected && nowMs() < until) await new Promise((r) => setTimeout(r, 20));
      const sorted = [...run.latencies].sort((a, b) => a - b);
      const result = { received: sorted.length, lost: expected - sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? null };
      run = null;
      return result;
    },
    close: () => socket.close(),
  };
}

/** `count` posts at a fixed rate, each body stamped with its send time; answers how many were accepted. */
async function post(count, send) {
  const start = nowMs();
  const sends = [];
  for (let seq = 0; seq < count; seq++) {
    const wait = start + (seq * 1000) / RATE - nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(send(seq));
  }
  return (await Promise.all(sends)).filter((s) => s === 201).length;
}

const fmt = (r) => `p50 ${r.p50?.toFixed(1)} / p99 ${r.p99?.toFixed(1)} ms, lost ${r.lost}`;

export async function run({ pairs }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  const api = await startApi({ db, prefix });
  const basePort = await freePort();
  const bare = await spawnNode(['bench/baselines/socketio-server.mjs'], { env: { PORT: String(basePort) }, probeUrl: `http://127.0.0.1:${basePort}/`, ipc: true });
  const bareUrl = `http://127.0.0.1:${basePort}`;
  let onApi;
  let onBare;
  try {
    const client = await userByEmail(db, DEMO_CLIENT);
    const clientToken = await mintToken(db, { id: client.id, role: 'client' });
    const [assistant] = await insertAssistants(db, { count: 1, skillsFor: () => ['research'], maxConcurrent: 3, online: true });
    const task = await request(api.url, 'POST', '/api/tasks', { token: clientToken, body: { ...taskBody('conversation'), category: 'research' } });
    if (task.status !== 201) throw new Error(`submit answered ${task.status}`);
    const claim = await request(api.url, 'POST', `/api/tasks/${task.body.id}/claim`, { token: assistant.token });
    if (claim.status !== 200) throw new Error(`claim answered ${claim.status}`);
    // The client writes, the assistant's dashboard hears it.
    onApi = await listener(api.url, assistant.token);
    onBare = await listener(bareUrl);

    const viaApi = async () => {
      const r = onApi.start();
      const ok = await post(COUNT, (seq) => request(api.url, 'POST', `/api/tasks/${task.body.id}/messages`, { token: clientToken, body: { body: `msg:${r.id}:${seq}:${nowMs()}` } }).then((x) => x.status));
      return onApi.stop(ok);
    };
    const viaBare = async () => {
      const r = onBare.start();
      const ok = await post(COUNT, (seq) => request(bareUrl, 'POST', '/messages', { body: { body: `msg:${r.id}:${seq}:${nowMs()}` } }).then((x) => x.status));
      return onBare.stop(ok);
    };

    await viaBare();
    await viaApi();
    const r = await interleave(pairs, viaBare, viaApi, { label: 'messages', format: fmt });
    const m = (xs, k) => median(xs.map((x) => x[k]));
    return [
      row({
        scenario: `message posted → the other party's socket p99, ${RATE}/s`,
        unit: 'ms',
        value: m(r.scenario, 'p99'),
        baseline: m(r.baseline, 'p99'),
        target: 'p99 ≤ 2 × baseline, 0 lost',
        pairs: { baseline: r.baseline.map((x) => x.p99), scenario: r.scenario.map((x) => x.p99) },
        check: ({ ratio }) => ratio <= 2 && r.scenario.every((x) => x.lost === 0),
        note: `p50 ${m(r.scenario, 'p50')?.toFixed(1)} ms against ${m(r.baseline, 'p50')?.toFixed(1)} ms; the baseline is a bare Socket.IO server relaying each POST to the socket; ${r.scenario.reduce((a, x) => a + x.lost, 0)} lost`,
        samples: { baseline: r.baseline, scenario: r.scenario },
      }),
    ];
  } finally {
    onApi?.close();
    onBare?.close();
    await bare.stop();
    await api.stop();
    await db.drop();
    await purge();
  }
}
