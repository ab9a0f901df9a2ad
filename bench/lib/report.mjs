import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/**
 * One result row. `better` says which way is good: 'higher' (throughput,
 * ratio = value / baseline) or 'lower' (latency, memory). `check` decides pass.
 */
export function row({ scenario, unit, value, baseline = null, target = null, check, note, samples }) {
  const ratio = value !== null && baseline ? round(value / baseline, 3) : null;
  const pass = value === null ? null : check ? Boolean(check({ value, baseline, ratio })) : null;
  const r = { scenario, unit, value: round(value, 2), baseline: round(baseline, 2), ratio, target, pass };
  if (note) r.note = note;
  if (samples) r.samples = samples;
  return r;
}

export function unavailable(scenario, unit, target, note) {
  return { scenario, unit, value: null, baseline: null, ratio: null, target, pass: null, note };
}

function round(x, digits) {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function fmt(x) {
  if (x === null || x === undefined) return '—';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export function printTable(rows) {
  const head = ['scenario', 'unit', 'figure', 'baseline', 'ratio', 'target', 'pass'];
  const body = rows.map((r) => [
    r.scenario,
    r.unit,
    r.value === null ? 'not available' : fmt(r.value),
    fmt(r.baseline),
    r.ratio === null ? '—' : r.ratio.toFixed(2),
    r.target ?? '—',
    r.pass === null ? '—' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
  console.log(out.join('\n'));
  for (const r of rows.filter((x) => x.note)) console.log(`  note (${r.scenario}): ${r.note}`);
}

export function writeResults(rows, meta) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = `${JSON.stringify(rows, null, 2)}\n`;
  const dated = `${RESULTS_DIR}${stamp}.json`;
  writeFileSync(dated, json);
  writeFileSync(`${RESULTS_DIR}latest.json`, json);
  writeFileSync(`${RESULTS_DIR}latest.meta.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return dated;
}
