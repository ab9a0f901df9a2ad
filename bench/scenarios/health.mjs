// 1. A no-database endpoint against a bare node:http server: what the framework stack costs per request.
import { benchPrefix, createBenchDb, freePort, spawnNode, startApi } from '../lib/harness.mjs';
import { cannon, interleave, median } from '../lib/load.mjs';
import { row } from '../lib/report.mjs';

export const name = 'health';

export async function run({ pairs, seconds }) {
  const db = await createBenchDb();
  const { prefix, purge } = benchPrefix();
  const api = await startApi({ db, prefix });
  const port = await freePort();
  const bare = await spawnNode(['bench/baselines/http-server.mjs'], { env: { PORT: String(port) }, probeUrl: `http://127.0.0.1:${port}/` });
  try {
    const bareUrl = `http://127.0.0.1:${port}/`;
    const apiUrl = `${api.url}/api/health/live`;
    const load = (url, s = seconds) => cannon({ url, connections: 50, seconds: s }).then((r) => r.perSecond);
    // Warm both JITs so the first pair is not a compile benchmark.
    await load(bareUrl, 1);
    await load(apiUrl, 2);
    const r = await interleave(pairs, () => load(bareUrl), () => load(apiUrl), { label: 'health' });
    return [
      row({
        scenario: 'GET /api/health/live, 50 connections',
        unit: 'req/s',
        value: median(r.scenario),
        baseline: median(r.baseline),
        target: 'ratio ≥ 0.6',
        check: ({ ratio }) => ratio >= 0.6,
        samples: r,
      }),
    ];
  } finally {
    await bare.stop();
    await api.stop();
    await db.drop();
    await purge();
  }
}
