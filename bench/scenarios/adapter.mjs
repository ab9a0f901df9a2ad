// 9. The HTTP adapter, chosen by measurement: the same one-route Nest app on
// Fastify (what Handoff uses) against Express, interleaved in one run.
import { freePort, spawnNode } from '../lib/harness.mjs';
import { cannon, interleave } from '../lib/load.mjs';
import { ratioRow } from '../lib/report.mjs';

export const name = 'adapter';

export async function run({ pairs, seconds }) {
  const start = async (kind) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/api/health/live`;
    const proc = await spawnNode(['bench/baselines/nest-adapter.mjs'], { env: { PORT: String(port), ADAPTER: kind }, probeUrl: url });
    return { url, proc };
  };
  const fastify = await start('fastify');
  const express = await start('express');
  try {
    const load = (url, s = seconds) => cannon({ url, connections: 50, seconds: s }).then((r) => r.perSecond);
    await load(fastify.url, 1);
    await load(express.url, 1);
    const r = await interleave(pairs, () => load(express.url), () => load(fastify.url), { label: 'adapter' });
    return [
      ratioRow({
        scenario: 'HTTP adapter: Nest on Fastify (baseline: on Express), one route',
        unit: 'req/s',
        samples: r,
        minRatio: 1,
        target: 'ratio ≥ 1 keeps Fastify',
      }),
    ];
  } finally {
    await fastify.proc.stop();
    await express.proc.stop();
  }
}
