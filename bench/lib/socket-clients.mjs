// A child process holding many Socket.IO clients, so receiving thousands of
// events a second does not steal the event loop of the process that sends them.
// Driven over IPC: connect → start(runId) → stop(expected) → close.
import { io } from 'socket.io-client';

const nowMs = () => performance.timeOrigin + performance.now();
const sockets = [];
let disconnects = 0;
let run = null;

function onAvailable(i) {
  return (payload) => {
    const at = nowMs();
    if (!run) return;
    // The sender puts `fanout:<run>:<seq>:<sent at>` in the title; the clock is shared by both processes.
    const parts = String(payload?.task?.title ?? '').split(':');
    if (parts[0] !== 'fanout' || parts[1] !== run.id) return;
    const seq = Number(parts[2]);
    const seen = run.seen[i];
    if (seen.has(seq)) {
      run.duplicates++;
      return;
    }
    seen.add(seq);
    run.latencies.push(at - Number(parts[3]));
  };
}

async function connect({ url, tokens, count, concurrency = 50 }) {
  const n = tokens ? tokens.length : count;
  let next = 0;
  let failed = 0;
  const one = (i) =>
    new Promise((resolve) => {
      const s = io(url, { auth: tokens ? { token: tokens[i] } : {}, transports: ['websocket'], forceNew: true, reconnection: true, timeout: 20_000 });
      s.on('task.available', onAvailable(i));
      s.on('disconnect', () => disconnects++);
      s.once('connect', () => resolve(true));
      s.once('connect_error', (e) => {
        failed++;
        if (failed <= 3) process.send?.({ cmd: 'log', message: `connect_error: ${e.message}` });
        s.close();
        resolve(false);
      });
      sockets[i] = s;
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return { connected: sockets.filter((s) => s?.connected).length, failed };
}

async function stop({ expectedPerSocket, waitMs }) {
  const until = Date.now() + waitMs;
  const complete = () => run.seen.every((s) => s.size >= expectedPerSocket);
  while (!complete() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const received = run.seen.reduce((a, s) => a + s.size, 0);
  const lat = Float64Array.from(run.latencies).sort();
  const pick = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.max(0, Math.ceil((p / 100) * lat.length) - 1))] : null);
  const result = {
    received,
    lost: expectedPerSocket * run.seen.length - received,
    duplicates: run.duplicates,
    p50: pick(50),
    p99: pick(99),
    max: lat.length ? lat[lat.length - 1] : null,
    disconnects,
  };
  run = null;
  return result;
}

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'connect') process.send({ cmd: 'connected', ...(await connect(msg)) });
    else if (msg.cmd === 'start') {
      run = { id: msg.runId, seen: sockets.map(() => new Set()), latencies: [], duplicates: 0 };
      process.send({ cmd: 'started' });
    } else if (msg.cmd === 'stop') process.send({ cmd: 'stopped', ...(await stop(msg)) });
    else if (msg.cmd === 'close') {
      for (const s of sockets) s?.close();
      process.send({ cmd: 'closed' }, () => process.exit(0));
    }
  } catch (e) {
    process.send({ cmd: 'error', message: e.message });
  }
});
process.on('disconnect', () => process.exit(0));
