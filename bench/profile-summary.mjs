// Where a `node --cpu-prof` profile spends its time, in text:
//   node bench/profile-summary.mjs bench/results/profiles/submit-….cpuprofile [--top 30] [--skip 4] [--callers writev]
// --skip drops the first seconds (start-up: module loading and compilation);
// --callers prints who calls a function, by the package of each caller.
// Self time by package (node_modules/<name>, node internals, our dist) and by
// function, plus the inclusive time of a few frames worth watching.
import { parseArgs } from 'node:util';
import { area, label, loadProfile, SPECIAL } from './lib/profile.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, skip: { type: 'string', default: '0' }, callers: { type: 'string' } } });
if (!positionals[0]) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]');
  process.exit(2);
}
const top = Number(values.top);
const { nodes, parent, selfUs, total } = loadProfile(positionals[0], Number(values.skip));

const byArea = new Map();
const byFn = new Map();
for (const [id, us] of selfUs) {
  const n = nodes.get(id);
  const a = SPECIAL.includes(n.callFrame.functionName) ? n.callFrame.functionName : area(n.callFrame.url);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
  const l = label(n);
  byFn.set(l, (byFn.get(l) ?? 0) + us);
}

// Inclusive time of frames matching a pattern (each sample counted once per pattern).
const WATCH = {
  'JSON (parse + stringify)': /^(parse|stringify)$/,
  'zod parsing': /zod/,
  'pg protocol parse/serialize': /pg-protocol/,
  'typeorm query path': /typeorm/,
  'bullmq': /bullmq/,
  'socket.io (+ redis adapter)': /socket\.io|engine\.io|redis-adapter/,
  'ioredis': /ioredis/,
  'jose (JWT verify)': /jose/,
  'helmet': /helmet/,
  'pino logging': /pino/,
  'fastify': /node_modules\/fastify\//,
  '@nestjs/core router + guards': /@nestjs\/core/,
  'api: auth guard + session lookup': /api\/dist\/common\/auth\//,
  'api: tasks controller + service': /api\/dist\/tasks\//,
  'api: idempotency + contract parsing': /api\/dist\/common\/http\//,
  'api: outbox relay': /api\/dist\/events\/outbox\.relay/,
  'api: dispatch processor (announce)': /api\/dist\/dispatch\/dispatch\.processor/,
  'api: live events (socket emit)': /api\/dist\/realtime\//,
};
const inclusive = new Map(Object.keys(WATCH).map((k) => [k, 0]));
for (const [id, us] of selfUs) {
  const hits = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const f = nodes.get(cur).callFrame;
    for (const [k, re] of Object.entries(WATCH)) if (re.test(f.url) || (k.startsWith('JSON') && re.test(f.functionName) && !f.url)) hits.add(k);
  }
  for (const k of hits) inclusive.set(k, inclusive.get(k) + us);
}

const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const busy = total - (byArea.get('(idle)') ?? 0);
console.log(`${positionals[0].split('/').pop()}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${pct(busy).trim()})\n`);
console.log('Self time by package');
for (const [k, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
console.log('\nInclusive time of frames worth watching (a sample can count under several)');
for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1])) console.log(`${ms(us)} ${pct(us)}  ${k}`);
console.log('\nSelf time by function');
for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${k}`);

if (values.callers) {
  // Nearest caller frame outside node internals and the function itself, by package and function.
  const byCaller = new Map();
  let sum = 0;
  for (const [id, us] of selfUs) {
    const n = nodes.get(id);
    if (n.callFrame.functionName !== values.callers) continue;
    sum += us;
    let cur = parent.get(id);
    while (cur !== undefined && (nodes.get(cur).callFrame.url.startsWith('node:') || !nodes.get(cur).callFrame.url)) cur = parent.get(cur);
    const k = cur === undefined ? '(root)' : `${area(nodes.get(cur).callFrame.url)}  ${label(nodes.get(cur))}`;
    byCaller.set(k, (byCaller.get(k) ?? 0) + us);
  }
  console.log(`\nCallers of ${values.callers} (${ms(sum).trim()} self)`);
  for (const [k, us] of [...byCaller].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
}
