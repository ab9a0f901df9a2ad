// Renders a `node --cpu-prof` profile as a flame graph in one self-contained SVG
// (see bench/flamegraph.mjs for the command and how to read it).
import { writeFileSync } from 'node:fs';
import { area, label, loadProfile, SPECIAL } from './profile.mjs';

function hue(text) {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

function colour(pkg) {
  if (pkg === '(idle)') return 'hsl(0 0% 88%)';
  if (pkg === '(garbage collector)') return 'hsl(280 45% 70%)';
  if (pkg === '(program)' || pkg === '(native / V8)') return 'hsl(25 35% 55%)';
  if (pkg.startsWith('api:') || pkg === '@handoff/contracts') return `hsl(${205 + (hue(pkg) % 25)} 60% ${62 + (hue(pkg) % 12)}%)`;
  if (pkg.startsWith('node:')) return `hsl(0 0% ${66 + (hue(pkg) % 14)}%)`;
  return `hsl(${(hue(pkg) % 55) + 5} 75% ${58 + (hue(pkg) % 14)}%)`;
}

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const WIDTH = 1600;
const ROW = 17;
const CHAR = 6.6;
const HEAD = 40;

/**
 * Writes the flame graph of `file` (default: beside it, `.svg`), leaving out
 * the first `skipSeconds` and boxes under `minPercent` of the time; returns
 * where it wrote and how much it drew.
 */
export function writeFlameGraph(file, { skipSeconds = 0, minPercent = 0.2, out = file.replace(/\.cpuprofile$/, '') + '.svg' } = {}) {
  const { nodes, selfUs, total, root } = loadProfile(file, skipSeconds);
  const minUs = (minPercent / 100) * total;

  // Same-named frames under the same caller are one box, their children merged too.
  const merge = (ids) => {
    const groups = new Map();
    for (const id of ids) {
      const n = nodes.get(id);
      const key = label(n);
      const g = groups.get(key) ?? { name: key, pkg: SPECIAL.includes(n.callFrame.functionName) ? n.callFrame.functionName : area(n.callFrame.url), ids: [] };
      g.ids.push(id);
      groups.set(key, g);
    }
    return [...groups.values()].map((g) => {
      const children = merge(g.ids.flatMap((id) => nodes.get(id).children ?? []));
      const self = g.ids.reduce((sum, id) => sum + (selfUs.get(id) ?? 0), 0);
      return { name: g.name, pkg: g.pkg, self, total: self + children.reduce((s, c) => s + c.total, 0), children };
    });
  };
  const top = merge(root.children ?? []).filter((c) => c.total > 0);

  const boxes = [];
  let depth = 0;
  const layout = (node, x, level) => {
    depth = Math.max(depth, level);
    boxes.push({ node, x, level, w: (node.total / total) * WIDTH });
    let cx = x;
    for (const c of [...node.children].sort((a, b) => a.name.localeCompare(b.name))) {
      if (c.total >= minUs) layout(c, cx, level + 1);
      cx += (c.total / total) * WIDTH;
    }
  };
  layout({ name: 'all', pkg: '', self: 0, total, children: top }, 0, 0);

  const height = HEAD + (depth + 1) * ROW + 10;
  const ms = (us) => `${(us / 1000).toFixed(0)} ms`;
  const pct = (us) => `${((100 * us) / total).toFixed(1)} %`;
  const idle = top.filter((c) => c.pkg === '(idle)').reduce((s, c) => s + c.total, 0);
  const rects = boxes.map(({ node, x, level, w }) => {
    const y = height - 10 - (level + 1) * ROW;
    const fits = Math.floor((w - 6) / CHAR);
    const text = fits >= 3 ? (node.name.length > fits ? `${node.name.slice(0, fits - 1)}…` : node.name) : '';
    const tip = `${node.name}${node.pkg ? ` (${node.pkg})` : ''}: ${ms(node.total)}, ${pct(node.total)}${node.self ? `; itself ${ms(node.self)}` : ''}`;
    const fill = node.pkg ? colour(node.pkg) : 'hsl(0 0% 75%)';
    const caption = text ? `<text x="${(x + 3).toFixed(2)}" y="${y + ROW - 5}">${escape(text)}</text>` : '';
    return `<g><title>${escape(tip)}</title><rect x="${x.toFixed(2)}" y="${y}" width="${Math.max(w - 0.5, 0.5).toFixed(2)}" height="${ROW - 1}" fill="${fill}"/>${caption}</g>`;
  });

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="8" y="18" font-size="14" font-weight="bold">${escape(file.split('/').pop())}</text>
<text x="8" y="34" fill="#444">${(total / 1e6).toFixed(1)} s sampled, ${pct(total - idle)} busy; boxes under ${minPercent} % left out; hover a box for its figures. Blue: Handoff's API · warm: dependencies · grey: Node internals · brown: V8 and native</text>
${rects.join('\n')}
</svg>
`;
  writeFileSync(out, svg);
  return { out, boxes: boxes.length, depth };
}
