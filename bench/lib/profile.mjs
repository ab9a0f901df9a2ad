// Reading a `node --cpu-prof` profile: the call tree, and the time each node spent itself.
import { readFileSync } from 'node:fs';

export const SPECIAL = ['(idle)', '(program)', '(garbage collector)'];

/**
 * The profile's nodes by id, each node's parent, and the microseconds each
 * node was on top of the stack, leaving out the first `skipSeconds`
 * (start-up: module loading and compilation).
 */
export function loadProfile(file, skipSeconds = 0) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per sample: the delta to the next sample belongs to this one.
  const selfUs = new Map();
  const skipUs = skipSeconds * 1e6;
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < skipUs) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const root = profile.nodes.find((n) => !parent.has(n.id));
  return { nodes, parent, selfUs, total, root };
}

/** The package a frame belongs to: node_modules/<name>, a node internal, our API's dist, or native code. */
export function area(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /apps\/api\/dist\/(.+?)\//.exec(url) ?? /apps\/api\/dist\/(.+)$/.exec(url);
  if (m) return `api:${m[1].replace(/\.js$/, '')}`;
  if (url.includes('packages/contracts')) return '@handoff/contracts';
  return url.split('/').slice(-2).join('/');
}

/** A frame as people read it: function, then file and line relative to its package. */
export function label(n) {
  const f = n.callFrame;
  const file = f.url ? f.url.replace(/^.*node_modules\//, '').replace(/^.*apps\/api\/dist\//, 'api/') : '';
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
}
