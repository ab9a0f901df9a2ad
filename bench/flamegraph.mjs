// A flame graph of a `node --cpu-prof` profile, as one self-contained SVG:
//   node bench/flamegraph.mjs bench/results/profiles/submit-….cpuprofile [--skip 4] [--min 0.2] [--out file.svg]
// Each box is a function on a call path, as wide as the time spent in it and
// what it called; callers below, callees above. Frames with the same name on
// the same path are merged; boxes narrower than --min percent are left out.
// Colour tells where the code lives: Handoff's API blue, its dependencies warm
// (one hue per package), Node's internals grey, V8 and native code brown.
// Hovering a box shows its name, package, time and share. `npm run bench --
// --profile …` draws one beside each profile it takes.
import { parseArgs } from 'node:util';
import { writeFlameGraph } from './lib/flamegraph.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { skip: { type: 'string', default: '0' }, min: { type: 'string', default: '0.2' }, out: { type: 'string' } },
});
if (!positionals[0]) {
  console.error('usage: node bench/flamegraph.mjs <file.cpuprofile> [--skip seconds] [--min percent] [--out file.svg]');
  process.exit(2);
}
const { out, boxes, depth } = writeFlameGraph(positionals[0], { skipSeconds: Number(values.skip), minPercent: Number(values.min), out: values.out });
console.log(`wrote ${out}: ${boxes} boxes, ${depth} levels deep`);
