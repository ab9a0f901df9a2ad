// The API has no default JWT_SECRET; `npm start` writes a random one into .env the first time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { ensureJwtSecret, loadDotEnv } from '../scripts/lib.mjs';
import { REPO_ROOT } from '../scripts/services.mjs';

const { loadConfig } = await import(new URL('apps/api/dist/config/config.js', `file://${REPO_ROOT}/`).href);
const PUBLISHED = 'handoff-development-secret-change-me-0123456789';

let root;
let shell;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'handoff-env-'));
  shell = process.env.JWT_SECRET;
  delete process.env.JWT_SECRET;
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  if (shell === undefined) delete process.env.JWT_SECRET;
  else process.env.JWT_SECRET = shell;
});

const dotEnv = () => readFileSync(join(root, '.env'), 'utf8');
const secretsIn = (text) => [...text.matchAll(/^JWT_SECRET=(.*)$/gm)].map((m) => m[1]);

/** What a later `npm start` does: a fresh process reads .env, then ensures a secret. */
function startAgain() {
  delete process.env.JWT_SECRET;
  loadDotEnv(root);
  return ensureJwtSecret(root);
}

test('the first start writes a random secret into a private .env, and later starts keep it', () => {
  assert.equal(ensureJwtSecret(root), true);
  const [secret] = secretsIn(dotEnv());
  assert.match(secret, /^[0-9a-f]{64}$/);
  assert.equal(process.env.JWT_SECRET, secret);
  if (process.platform !== 'win32') assert.equal(statSync(join(root, '.env')).mode & 0o777, 0o600);
  // The API takes it.
  assert.equal(loadConfig({ JWT_SECRET: secret }).jwtSecret, secret);

  assert.equal(startAgain(), false);
  assert.equal(process.env.JWT_SECRET, secret);
  assert.deepEqual(secretsIn(dotEnv()), [secret]);
});

test('every checkout gets its own secret', () => {
  ensureJwtSecret(root);
  const first = secretsIn(dotEnv())[0];
  const other = mkdtempSync(join(tmpdir(), 'handoff-env-'));
  try {
    delete process.env.JWT_SECRET;
    ensureJwtSecret(other);
    assert.notEqual(secretsIn(readFileSync(join(other, '.env'), 'utf8'))[0], first);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('an existing .env keeps its settings; an empty JWT_SECRET= line (as copied from .env.example) is filled in', () => {
  writeFileSync(join(root, '.env'), 'PORT=3100\nJWT_SECRET=\nLOG_LEVEL=debug');
  loadDotEnv(root);
  assert.equal(ensureJwtSecret(root), true);
  const text = dotEnv();
  assert.match(text, /^PORT=3100$/m);
  assert.match(text, /^LOG_LEVEL=debug$/m);
  assert.equal(secretsIn(text).length, 1);
  assert.match(secretsIn(text)[0], /^[0-9a-f]{64}$/);
});

test('a published secret in .env (an older .env.example) is replaced', () => {
  writeFileSync(join(root, '.env'), `PORT=3100\nJWT_SECRET=${PUBLISHED}\n`);
  loadDotEnv(root);
  assert.equal(ensureJwtSecret(root), true);
  const [secret] = secretsIn(dotEnv());
  assert.match(secret, /^[0-9a-f]{64}$/);
  assert.equal(process.env.JWT_SECRET, secret);
});

test('a secret set in the shell wins and .env is left alone', () => {
  writeFileSync(join(root, '.env'), 'PORT=3100\n');
  process.env.JWT_SECRET = 'f'.repeat(64);
  loadDotEnv(root);
  assert.equal(ensureJwtSecret(root), false);
  assert.equal(dotEnv(), 'PORT=3100\n');
  assert.equal(process.env.JWT_SECRET, 'f'.repeat(64));
});

test('the API refuses to start without a secret, or with the published one, naming JWT_SECRET', () => {
  assert.throws(() => loadConfig({}), /JWT_SECRET: is not set/);
  assert.throws(() => loadConfig({ JWT_SECRET: PUBLISHED }), /JWT_SECRET: is a published example value/);
});

test('.env is kept out of git', () => {
  const ignored = spawnSync('git', ['check-ignore', '-q', '.env'], { cwd: REPO_ROOT });
  assert.equal(ignored.status, 0);
});
