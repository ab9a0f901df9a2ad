// 5. submit → task.available latency with 1,000 assistant sockets online, against a
//    bare Socket.IO room broadcast to 1,000 sockets at the same rate.
// 6. The API's resident memory with those 1,000 sockets connected.
import { benchPrefix, createBenchDb, DEMO_CLIENT, freePort, insertAssistants, mintToken, nowMs, profiledApi, rand, rssMb, spawnNode, startApi, userByEmail } from '../lib/harness.mjs';
import { interleave, mapLimit, median, request } from '../lib/load.mjs';
import { row } from '../lib/report.mjs';
import { taskBody } from './submit.mjs';

export const name = 'fanout';
const SOCKETS = 1_000;
const RATE = 20;
const RUN_SECONDS = 10;
const EVENTS = RATE * RUN_SECONDS;
// An event still missing this long after the last submit is counted lost; one that
// arrives later than a second after the last submit shows in the latency figures instead.
const SETTLE_MS = 30_000;

/** Send one IPC command and wait for the reply named `expect`. */
function ask(child, msg, expect, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.off('message', on);
      reject(new Error(`no ${expect} from child within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m) => {
      if (m.cmd === 'log') return console.log(`  fanout client: ${m.message}`);
      if (m.cmd === 'error') {
        clearTimeout(t);
        child.off('message', on);
        return reject(new Error(m.message));
      }
      if (m.cmd !== expect) return;
      clearTimeout(t);
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send(msg);
  });
}

const fmt = (r) => `p50 ${r.p50?.toFixed(1)} / p99 ${r.p99?.toFixed(1)} / max ${r.max?.toFixed(1)} ms, lost ${r.lost}${r.disconnects ? `, ${r.disconnects} disconnects so far` : ''}`;

export async function run({ pairs, profile }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  // Profiling slows the API, so a profiled run's figures are for reading the profile, not for the table.
  const api = profile?.has(name) ? await profiledApi({ db, prefix, name }) : await startApi({ db, prefix });
  if (profile?.has(name)) console.log('  fanout: the API runs under --cpu-prof; its latencies are not comparable to an unprofiled run');
  const basePort = await freePort();
  const bare = await spawnNode(['bench/baselines/socketio-server.mjs'], { env: { PORT: String(basePort) }, probeUrl: `http://127.0.0.1:${basePort}/`, ipc: true });
  const apiClients = await spawnNode(['bench/lib/socket-clients.mjs'], { ipc: true });
  const bareClients = await spawnNode(['bench/lib/socket-clients.mjs'], { ipc: true });
  try {
    const client = await userByEmail(db, DEMO_CLIENT);
    const clientToken = await mintToken(db, { id: client.id, role: 'client' });
    const rssIdle = api.rss();

    // Registered the quick way (SQL, a real password hash), then online through the API like a dashboard would.
    const assistants = await insertAssistants(db, { count: SOCKETS, skillsFor: () => ['research'], maxConcurrent: 3, online: false });
    const statuses = await mapLimit(assistants, 50, (a) => request(api.url, 'PUT', '/api/assistants/me/availability', { token: a.token, body: { online: true } }).then((r) => r.status));
    const notOk = statuses.filter((s) => s !== 200).length;
    if (notOk) throw new Error(`${notOk} availability updates failed`);

    const connectedApi = await ask(apiClients.child, { cmd: 'connect', url: api.url, tokens: assistants.map((a) => a.token) }, 'connected');
    const connectedBare = await ask(bareClients.child, { cmd: 'connect', url: `http://127.0.0.1:${basePort}`, count: SOCKETS }, 'connected');
    console.log(`  fanout: ${connectedApi.connected} sockets on the API, ${connectedBare.connected} on the bare server`);
    if (connectedApi.connected !== SOCKETS || connectedBare.connected !== SOCKETS) throw new Error('not every socket connected');
    const rssConnected = api.rss();

    // The bare server broadcasts a real task snapshot, so both sides move the same bytes.
    const sample = await request(api.url, 'POST', '/api/tasks', { token: clientToken, body: { ...taskBody('snapshot'), category: 'research' } });
    if (sample.status !== 201) throw new Error(`submit answered ${sample.status}`);

    const viaApi = async () => {
      const runId = rand();
      await ask(apiClients.child, { cmd: 'start', runId }, 'started');
      const start = nowMs();
      const sends = [];
      for (let seq = 0; seq < EVENTS; seq++) {
        const wait = start + (seq * 1000) / RATE - nowMs();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const body = { ...taskBody(`fanout:${runId}:${seq}:${nowMs()}`), category: 'research' };
        sends.push(request(api.url, 'POST', '/api/tasks', { token: clientToken, body }).then((r) => r.status));
      }
      const ok = (await Promise.all(sends)).filter((s) => s === 201).length;
      if (ok !== EVENTS) console.log(`  fanout: ${EVENTS - ok} submits refused`);
      return ask(apiClients.child, { cmd: 'stop', expectedPerSocket: ok, waitMs: SETTLE_MS }, 'stopped');
    };

    const viaBare = async () => {
      const runId = rand();
      await ask(bareClients.child, { cmd: 'start', runId }, 'started');
      const done = await ask(bare.child, { cmd: 'run', runId, rate: RATE, count: EVENTS, task: sample.body }, 'done');
      return ask(bareClients.child, { cmd: 'stop', expectedPerSocket: done.sent, waitMs: SETTLE_MS }, 'stopped');
    };

    const r = await interleave(pairs, viaBare, viaApi, { label: 'fanout', format: fmt });
    const rssAfter = api.rss();
    const rssBare = rssMb(bare.pid);
    console.log(`  fanout: API RSS idle ${rssIdle?.toFixed(0)} MB, with ${SOCKETS} sockets ${rssConnected?.toFixed(0)} MB, after the runs ${rssAfter?.toFixed(0)} MB; bare Socket.IO server ${rssBare?.toFixed(0)} MB`);

    const m = (xs, k) => median(xs.map((x) => x[k]));
    const lost = r.scenario.reduce((a, x) => a + x.lost, 0);
    const baseLost = r.baseline.reduce((a, x) => a + x.lost, 0);
    const samples = { baseline: r.baseline, scenario: r.scenario };
    return [
      row({
        scenario: `submit → task.available p50, ${SOCKETS} sockets, ${RATE}/s`,
        unit: 'ms',
        value: m(r.scenario, 'p50'),
        baseline: m(r.baseline, 'p50'),
        pairs: { baseline: r.baseline.map((x) => x.p50), scenario: r.scenario.map((x) => x.p50) },
        samples,
      }),
      row({
        scenario: `submit → task.available p99, ${SOCKETS} sockets, ${RATE}/s`,
        unit: 'ms',
        value: m(r.scenario, 'p99'),
        baseline: m(r.baseline, 'p99'),
        target: 'p99 ≤ 2 × baseline',
        pairs: { baseline: r.baseline.map((x) => x.p99), scenario: r.scenario.map((x) => x.p99) },
        check: ({ ratio }) => ratio <= 2,
      }),
      row({
        scenario: `submit → task.available max, ${SOCKETS} sockets, ${RATE}/s`,
        unit: 'ms',
        value: m(r.scenario, 'max'),
        baseline: m(r.baseline, 'max'),
        pairs: { baseline: r.baseline.map((x) => x.max), scenario: r.scenario.map((x) => x.max) },
      }),
      row({
        scenario: `task.available events lost (${pairs} × ${EVENTS} × ${SOCKETS} expected)`,
        unit: 'events',
        value: lost,
        baseline: baseLost,
        target: '0',
        check: ({ value }) => value === 0,
      }),
      row({
        scenario: `API memory with ${SOCKETS} sockets connected`,
        unit: 'RSS MB',
        value: Math.max(rssConnected ?? 0, rssAfter ?? 0) || null,
        baseline: rssBare,
        target: '< 300 MB',
        check: ({ value }) => value < 300,
        note: `idle before the sockets: ${rssIdle?.toFixed(0)} MB; the baseline column is the bare Socket.IO server holding its ${SOCKETS} sockets`,
      }),
    ];
  } finally {
    await Promise.all([apiClients.stop(), bareClients.stop()]);
    await bare.stop();
    await api.stop();
    await db.drop();
    await purge();
  }
}
