import { mkdirSync, writeFileSync } from 'node:fs';
import { median } from './load.mjs';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/**
 * One result row; ratio is figure ÷ baseline, `check` decides pass. With
 * paired samples the ratio is the median of each pair's own ratio: a pair
 * shares one minute of this machine, so drift between minutes cancels out.
 */
export function row({ scenario, unit, value, baseline = null, target = null, check, note, samples, pairs }) {
  const paired = pairs ?? pairedSamples(samples);
  let ratio = null;
  if (paired) ratio = round(medianOf(paired.scenario.map((v, i) => v / paired.baseline[i])), 3);
  else if (value !== null && baseline) ratio = round(value / baseline, 3);
  const pass = value === null ? null : check ? Boolean(check({ value, baseline, ratio })) : null;
  const r = { scenario, unit, value: round(value, 2), baseline: round(baseline, 2), ratio, target, pass };
  if (note) r.note = note;
  if (samples) r.samples = samples;
  return r;
}

/** A throughput scenario measured pair by pair against its baseline, passing at `minRatio`. */
export function ratioRow({ scenario, unit, samples, minRatio, target = `ratio ≥ ${minRatio}` }) {
  return row({
    scenario,
    unit,
    value: median(samples.scenario),
    baseline: median(samples.baseline),
    target,
    check: ({ ratio }) => ratio >= minRatio,
    samples,
  });
}

function pairedSamples(samples) {
  const ok = (xs) => Array.isArray(xs) && xs.every((x) => typeof x === 'number' && x > 0);
  if (!samples || !ok(samples.baseline) || !ok(samples.scenario) || samples.baseline.length !== samples.scenario.length) return null;
  return samples;
}

function medianOf(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
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
  console.log('  ratio = figure ÷ baseline, taken pair by pair (each pair shares a minute of the machine) and then the median');
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
