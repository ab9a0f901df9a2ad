// `npm run bench`: every scenario beside its raw baseline, interleaved, in one run.
//   --only a,b      run only these scenarios (health, adapter, submit, claim, dispatch, fanout, billing, dashboard, imports, schedule, messages, webhooks, scale)
//   --with a,b      the default set plus these opt-in scenarios (scale is not in the default set: it takes a quarter of an hour)
//   --pairs N       baseline/scenario pairs per scenario (default 5)
//   --seconds S     length of each timed window for the throughput scenarios (default 4)
//   --profile a,b   profile these scenarios' API under `node --cpu-prof` (health, submit and claim: an extra
//                   profiled run after the measured pairs; fanout: the whole scenario, so its latencies
//                   are then not comparable). Profiles land in bench/results/profiles/.
//   --keep          keep the throwaway database of the claim scenario for EXPLAIN (its name is printed)
//   --scale-size N  the large size of the scale scenario, in tasks (default 1,000,000; the small one is 10,000)
//   --scale-samples N  requests per read and size in the scale scenario (default 15, after 2 warm-ups)
import os from 'node:os';
import { parseArgs } from 'node:util';
import { cleanupAll, ensureBuilt, POOL_SIZE } from './lib/harness.mjs';
import { printTable, unavailable, writeResults } from './lib/report.mjs';
import * as health from './scenarios/health.mjs';
import * as submit from './scenarios/submit.mjs';
import * as claim from './scenarios/claim.mjs';
import * as dispatch from './scenarios/dispatch.mjs';
import * as fanout from './scenarios/fanout.mjs';
import * as billing from './scenarios/billing.mjs';
import * as dashboard from './scenarios/dashboard.mjs';
import * as adapter from './scenarios/adapter.mjs';
import * as messages from './scenarios/messages.mjs';
import * as scale from './scenarios/scale.mjs';
import * as webhooks from './scenarios/webhooks.mjs';
import * as imports from './scenarios/imports.mjs';

import * as schedule from './scenarios/schedule.mjs';

// A scenario that exports `optIn` runs only when named by --only or --with.
const SCENARIOS = [health, adapter, submit, claim, dispatch, fanout, billing, dashboard, imports, schedule, messages, webhooks, scale];

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    with: { type: 'string' },
    pairs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '4' },
    profile: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'scale-size': { type: 'string', default: '1000000' },
    'scale-samples': { type: 'string', default: '15' },
  },
});

const names = (list) => (list ? new Set(list.split(',').map((s) => s.trim())) : null);
const only = names(args.only);
const extra = names(args.with) ?? new Set();
const wanted = (s) => (only ? only.has(s.name) : !s.optIn || extra.has(s.name));
const unknown = [...(only ?? []), ...extra].filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const scaleSize = Number(args['scale-size'].replaceAll('_', '').replaceAll(',', ''));
if (!Number.isInteger(scaleSize) || scaleSize <= scale.SMALL) {
  console.error(`--scale-size must be a whole number of tasks above ${scale.SMALL}, not ${args['scale-size']}`);
  process.exit(2);
}
const options = {
  pairs: Math.max(1, Number(args.pairs)),
  seconds: Math.max(1, Number(args.seconds)),
  profile: args.profile ? new Set(args.profile.split(',').map((x) => x.trim())) : null,
  keep: args.keep,
  scaleSize,
  scaleSamples: Math.max(1, Number(args['scale-samples'])),
};

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    interrupted = true;
    console.error(`\n${signal}: stopping children, dropping databases…`);
    await cleanupAll();
    process.exit(130);
  });
}

async function main() {
  ensureBuilt();
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  console.log(`Handoff bench: ${options.pairs} interleaved pairs per scenario, ${options.seconds} s windows, pool ${POOL_SIZE}, ${os.cpus().length} CPU(s), Node ${process.versions.node}`);
  const rows = [];
  for (const s of SCENARIOS) {
    if (!wanted(s)) continue;
    const t = Date.now();
    console.log(`\n▶ ${s.name}`);
    try {
      rows.push(...(await s.run(options)));
    } catch (e) {
      if (interrupted) return;
      console.error(`  ${s.name} failed: ${e.stack ?? e.message}`);
      rows.push(unavailable(s.name, '—', null, `failed: ${String(e.message).split('\n')[0]}`));
    } finally {
      await cleanupAll();
    }
    console.log(`  (${((Date.now() - t) / 1000).toFixed(0)} s)`);
  }
  console.log(`\nHandoff bench, ${new Date().toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s in all, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPU(s)\n`);
  printTable(rows);
  const file = writeResults(rows, {
    at: new Date().toISOString(),
    node: process.versions.node,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    poolSize: POOL_SIZE,
    pairs: options.pairs,
    seconds: options.seconds,
    ...(wanted(scale) ? { scaleSize: options.scaleSize, scaleSamples: options.scaleSamples } : {}),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    // Other work on the machine moves absolute figures; the ratios are what to compare.
    loadAverage1m: { before: loadBefore, after: os.loadavg()[0] },
  });
  console.log(`\nwrote ${file.slice(file.indexOf('bench/'))} and bench/results/latest.json`);
  const failed = rows.filter((r) => r.pass === false);
  if (failed.length) console.log(`${failed.length} row(s) miss their target: ${failed.map((r) => r.scenario).join('; ')}`);
}

main().catch(async (e) => {
  console.error(e);
  await cleanupAll();
  process.exit(1);
});
