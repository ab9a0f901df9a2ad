// 1. A no-database endpoint against a bare node:http server: what the framework stack costs per request,
//    as throughput and, steadier on a shared machine, as CPU time per answered request. The baseline
//    sends the same answer, headers included (the security set and a request id), so the ratio is the
//    stack's cost alone; a second bare server that sends only the content type and length shows, beside
//    it, what those headers cost on their own.
import { benchPrefix, cpuMicros, createBenchDb, freePort, profiledApi, spawnNode, startApi } from '../lib/harness.mjs';
import { cannon, interleave, median } from '../lib/load.mjs';
import { ratioRow, row } from '../lib/report.mjs';

export const name = 'health';

async function bareServer(headers) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const proc = await spawnNode(['bench/baselines/http-server.mjs'], { env: { PORT: String(port), HEADERS: headers }, probeUrl: url });
  return { url, pid: proc.pid, stop: () => proc.stop() };
}

export async function run({ pairs, seconds, profile }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  const api = await startApi({ db, prefix });
  const same = await bareServer('api');
  const plain = await bareServer('');
  try {
    const apiUrl = `${api.url}/api/health/live`;
    const load = (url, s = seconds) => cannon({ url, connections: 50, seconds: s }).then((r) => r.perSecond);
    // Throughput moves with whatever else the machine does; the server's own CPU per request much less.
    const cpuPerRequest = { baseline: [], scenario: [], plain: [] };
    const measured = async (url, pid, into) => {
      const before = cpuMicros(pid);
      const r = await cannon({ url, connections: 50, seconds });
      const after = cpuMicros(pid);
      if (before !== null && after !== null && r.ok) into.push((after - before) / r.ok);
      return r.perSecond;
    };
    // Warm the JITs so the first pair is not a compile benchmark.
    await load(plain.url, 1);
    await load(same.url, 1);
    await load(apiUrl, 2);
    const plainRps = [];
    const r = await interleave(
      pairs,
      async () => {
        plainRps.push(await measured(plain.url, plain.pid, cpuPerRequest.plain));
        return measured(same.url, same.pid, cpuPerRequest.baseline);
      },
      () => measured(apiUrl, api.pid, cpuPerRequest.scenario),
      { label: 'health' },
    );
    if (profile?.has(name)) {
      await api.stop();
      const t = Date.now();
      const prof = await profiledApi({ db, prefix, name });
      const skip = (Date.now() - t) / 1000 + 2;
      await load(`${prof.url}/api/health/live`, 2);
      const rate = await load(`${prof.url}/api/health/live`, 10);
      console.log(`  health: profiled run ${rate.toFixed(0)} req/s`);
      await prof.stop({ skipSeconds: skip });
    }
    const full = (xs) => xs.length === pairs;
    return [
      ratioRow({
        scenario: 'GET /api/health/live, 50 connections',
        unit: 'req/s',
        samples: r,
        minRatio: 0.6,
      }),
      row({
        scenario: 'GET /api/health/live: CPU per answered request',
        unit: 'µs',
        value: cpuPerRequest.scenario.length ? median(cpuPerRequest.scenario) : null,
        baseline: cpuPerRequest.baseline.length ? median(cpuPerRequest.baseline) : null,
        samples: full(cpuPerRequest.scenario) && full(cpuPerRequest.baseline) ? { baseline: cpuPerRequest.baseline, scenario: cpuPerRequest.scenario } : undefined,
        note: 'the same windows as the row above: user + system CPU time of the server process per 2xx answer (/proc); a steadier view of the same cost, lower is better, no target',
      }),
      row({
        scenario: 'GET /api/health/live against node:http sending no headers of its own',
        unit: 'req/s',
        value: median(r.scenario),
        baseline: median(plainRps),
        samples: { baseline: plainRps, scenario: r.scenario },
        note: `the scenario's windows above against a bare server that sends only the content type and length, run just before each baseline window (its CPU per answer: ${cpuPerRequest.plain.length ? median(cpuPerRequest.plain).toFixed(1) : '?'} µs): what the answer's security headers and request id cost on their own, no target`,
      }),
    ];
  } finally {
    await same.stop();
    await plain.stop();
    await api.stop();
    await db.drop();
    await purge();
  }
}
