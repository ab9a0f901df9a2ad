// .env.example is the operator's reference: it must name every variable the
// API reads, with the API's own default, and nothing the API no longer reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { REPO_ROOT } from '../scripts/services.mjs';

const { envSchema } = await import(new URL('apps/api/dist/config/config.js', `file://${REPO_ROOT}/`).href);
const TOOLING = new Set(['CHROMIUM_PATH', 'HANDOFF_E2E_KEEP']);

function documented() {
  const vars = new Map();
  for (const line of readFileSync(`${REPO_ROOT}/.env.example`, 'utf8').split('\n')) {
    const m = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) vars.set(m[1], { value: m[2], commented: line.startsWith('#') });
  }
  return vars;
}

test('.env.example lists every variable the API reads, and no other', () => {
  const inSchema = Object.keys(envSchema.shape).sort();
  const inFile = [...documented().keys()].filter((k) => !TOOLING.has(k)).sort();
  assert.deepEqual(inFile, inSchema);
});

test('.env.example shows the default of each variable', () => {
  const vars = documented();
  for (const key of Object.keys(envSchema.shape)) {
    const fallback = envSchema.shape[key].safeParse(undefined);
    const { value } = vars.get(key);
    if (!fallback.success || fallback.data === undefined) {
      assert.equal(value, '', `${key} has no default, so .env.example should leave it empty`);
      continue;
    }
    // Compare after parsing, so "15m" and 900000 count as the same default.
    const parsed = envSchema.shape[key].safeParse(value === '' ? undefined : value);
    assert.ok(parsed.success, `${key}=${value} in .env.example is not valid`);
    assert.deepEqual(parsed.data, fallback.data, `${key}: .env.example says ${value}`);
  }
});
