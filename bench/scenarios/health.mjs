// 1. A no-database endpoint against a bare node:http server: what the framework stack costs per request.
import { benchPrefix, createBenchDb, freePort, profiledApi, spawnNode, startApi } from '../lib/harness.mjs';
import { cannon, interleave } from '../lib/load.mjs';
import { ratioRow } from '../lib/report.mjs';

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
    // Warm both JITs so the first pair is not a compile benchmark.
    await load(bareUrl, 1);
    await load(apiUrl, 2);
    const r = await interleave(pairs, () => load(bareUrl), () => load(apiUrl), { label: 'health' });
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
    ];
  } finally {
    await bare.stop();
    await api.stop();
    await db.drop();
    await purge();
  }
}
