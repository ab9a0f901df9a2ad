// 1. A no-database endpoint against a bare node:http server: what the framework stack costs per request,
//    as throughput and, steadier on a shared machine, as CPU time per answered request.
import { benchPrefix, cpuMicros, createBenchDb, freePort, profiledApi, spawnNode, startApi } from '../lib/harness.mjs';
import { cannon, interleave, median } from '../lib/load.mjs';
import { ratioRow, row } from '../lib/report.mjs';

export const name = 'health';

export async function run({ pairs, seconds, profile }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  const api = await startApi({ db, prefix });
  const port = await freePort();
  const bare = await spawnNode(['bench/baselines/http-server.mjs'], { env: { PORT: String(port) }, probeUrl: `http://127.0.0.1:${port}/` });
  try {
    const bareUrl = `http://127.0.0.1:${port}/`;
    const apiUrl = `${api.url}/api/health/live`;
    const load = (url, s = seconds) => cannon({ url, connections: 50, seconds: s }).then((r) => r.perSecond);
    // Throughput moves with whatever else the machine does; the server's own CPU per request much less.
    const cpuPerRequest = { baseline: [], scenario: [] };
    const measured = async (url, pid, into) => {
      const before = cpuMicros(pid);
      const r = await cannon({ url, connections: 50, seconds });
      const after = cpuMicros(pid);
      if (before !== null && after !== null && r.ok) into.push((after - before) / r.ok);
      return r.perSecond;
    };
    // Warm both JITs so the first pair is not a compile benchmark.
    await load(bareUrl, 1);
    await load(apiUrl, 2);
    const r = await interleave(pairs, () => measured(bareUrl, bare.pid, cpuPerRequest.baseline), () => measured(apiUrl, api.pid, cpuPerRequest.scenario), {
      label: 'health',
    });
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
        samples: cpuPerRequest.scenario.length === pairs && cpuPerRequest.baseline.length === pairs ? cpuPerRequest : undefined,
        note: 'the same windows as the row above: user + system CPU time of the server process per 2xx answer (/proc); a steadier view of the same cost, lower is better, no target',
      }),
    ];
  } finally {
    await bare.stop();
    await api.stop();
    await db.drop();
    await purge();
  }
}
