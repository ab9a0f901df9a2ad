// SECRETS_KEYS and TWO_FACTOR_PEPPER have no defaults; `npm start` writes random ones into .env the first time.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { ensureGeneratedSecrets, loadDotEnv } from '../scripts/lib.mjs';
import { REPO_ROOT } from '../scripts/services.mjs';

const { loadConfig } = await import(new URL('apps/api/dist/config/config.js', `file://${REPO_ROOT}/`).href);
const NAMES = ['SECRETS_KEYS', 'TWO_FACTOR_PEPPER'];
const JWT_SECRET = 'a'.repeat(16) + 'b'.repeat(16) + 'c'.repeat(16);

let root;
let shell;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'handoff-env-'));
  shell = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
  for (const n of NAMES) delete process.env[n];
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  for (const n of NAMES) {
    if (shell[n] === undefined) delete process.env[n];
    else process.env[n] = shell[n];
  }
});

const dotEnv = () => readFileSync(join(root, '.env'), 'utf8');
const valuesOf = (text, name) => [...text.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((m) => m[1]);

function startAgain() {
  for (const n of NAMES) delete process.env[n];
  loadDotEnv(root);
  return ensureGeneratedSecrets(root);
}

test('the first start writes both into a private .env, the API accepts them, and later starts keep them', () => {
  assert.deepEqual(ensureGeneratedSecrets(root), NAMES);
  const text = dotEnv();
  const [keys] = valuesOf(text, 'SECRETS_KEYS');
  const [pepper] = valuesOf(text, 'TWO_FACTOR_PEPPER');
  assert.match(keys, /^local-[0-9a-f]{6}:[A-Za-z0-9+/]{43}=$/);
  assert.match(pepper, /^[0-9a-f]{64}$/);
  if (process.platform !== 'win32') assert.equal(statSync(join(root, '.env')).mode & 0o777, 0o600);

  assert.deepEqual(startAgain(), []);
  assert.equal(process.env.SECRETS_KEYS, keys);
  assert.equal(process.env.TWO_FACTOR_PEPPER, pepper);
  assert.equal(dotEnv(), text);
  // Read back from .env the way the API gets it.
  const config = loadConfig({ JWT_SECRET, SECRETS_KEYS: process.env.SECRETS_KEYS, TWO_FACTOR_PEPPER: process.env.TWO_FACTOR_PEPPER });
  assert.equal(config.secrets.keys[0].id, keys.split(':')[0]);
  assert.equal(config.secrets.keys[0].material().toString('base64'), keys.split(':')[1]);
  assert.equal(config.twoFactor.pepper, pepper);
});

test('every checkout gets its own key, under its own key id', () => {
  ensureGeneratedSecrets(root);
  const first = valuesOf(dotEnv(), 'SECRETS_KEYS')[0];
  const other = mkdtempSync(join(tmpdir(), 'handoff-env-'));
  try {
    for (const n of NAMES) delete process.env[n];
    ensureGeneratedSecrets(other);
    const second = valuesOf(readFileSync(join(other, '.env'), 'utf8'), 'SECRETS_KEYS')[0];
    assert.notEqual(second, first);
    assert.notEqual(second.split(':')[0], first.split(':')[0]);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('empty lines copied from .env.example are filled in and the other settings kept', () => {
  writeFileSync(join(root, '.env'), 'PORT=3100\nSECRETS_KEYS=\nTWO_FACTOR_PEPPER=\nLOG_LEVEL=debug');
  loadDotEnv(root);
  assert.deepEqual(ensureGeneratedSecrets(root), NAMES);
  const text = dotEnv();
  assert.match(text, /^PORT=3100$/m);
  assert.match(text, /^LOG_LEVEL=debug$/m);
  for (const n of NAMES) assert.equal(valuesOf(text, n).length, 1);
  assert.match(valuesOf(text, 'TWO_FACTOR_PEPPER')[0], /^[0-9a-f]{64}$/);
});

test('a value set in the shell or in .env wins, and only the missing one is written', () => {
  writeFileSync(join(root, '.env'), 'PORT=3100\nTWO_FACTOR_PEPPER=' + 'f'.repeat(64) + '\n');
  process.env.SECRETS_KEYS = 'mine:' + Buffer.alloc(32, 7).toString('base64');
  loadDotEnv(root);
  assert.deepEqual(ensureGeneratedSecrets(root), []);
  assert.equal(dotEnv(), 'PORT=3100\nTWO_FACTOR_PEPPER=' + 'f'.repeat(64) + '\n');

  delete process.env.SECRETS_KEYS;
  assert.deepEqual(ensureGeneratedSecrets(root), ['SECRETS_KEYS']);
  assert.equal(valuesOf(dotEnv(), 'TWO_FACTOR_PEPPER')[0], 'f'.repeat(64));
});
