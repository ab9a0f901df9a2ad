// Shared by start.mjs and test.mjs. Plain Node with no dependencies, since
// these run before `npm install` has had a chance to.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { REPO_ROOT } from './services.mjs';

export { REPO_ROOT };

const MIN_NODE = [20, 19, 0];

const color = (code, text, stream) => (stream.isTTY && !process.env.NO_COLOR ? `\x1b[${code}m${text}\x1b[0m` : text);

export function log(message) {
  console.log(`${color(1, '[handoff]', process.stdout)} ${message}`);
}

export function fail(message) {
  console.error(`\n${color(31, '[handoff]', process.stderr)} ${message}\n`);
  process.exit(1);
}

export function checkNode() {
  const have = process.versions.node.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (have[i] > MIN_NODE[i]) return;
    if (have[i] < MIN_NODE[i]) fail(`Handoff needs Node ${MIN_NODE.join('.')} or newer; this is ${process.versions.node}. Install a newer Node (see .nvmrc).`);
  }
}

/** A `.env` at the repository root fills in what the shell did not set (the shell wins). */
export function loadDotEnv(root = REPO_ROOT) {
  const file = join(root, '.env');
  if (!existsSync(file)) return;
  process.loadEnvFile(file);
  log('read settings from .env');
}

const SECRET_LINE = /^[ \t]*(?:export[ \t]+)?JWT_SECRET[ \t]*=.*$/gm;
// The published placeholders the API refuses (apps/api/src/config/config.ts), as an older .env copied from .env.example has them.
const PUBLISHED_SECRET = /change-?me/i;

/**
 * The API signs sessions with JWT_SECRET and has no default for it. When neither the shell nor `.env`
 * sets one, write a random one into `.env` (kept out of git), so every checkout signs with its own and
 * sessions survive a restart; a published placeholder in `.env` is replaced the same way. One set in
 * the shell is left alone (the API refuses a published one, naming JWT_SECRET). Call after loadDotEnv.
 * Answers whether it wrote one.
 */
export function ensureJwtSecret(root = REPO_ROOT) {
  const file = join(root, '.env');
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const current = process.env.JWT_SECRET;
  const fromFile = parseEnv(before).JWT_SECRET;
  if (current && !(current === fromFile && PUBLISHED_SECRET.test(current))) return false;
  const secret = randomBytes(32).toString('hex');
  const line = `JWT_SECRET=${secret}`;
  // An empty or published `JWT_SECRET=` line is replaced rather than followed by a second one.
  const after = before.match(SECRET_LINE)
    ? before.replace(SECRET_LINE, line)
    : `${before}${before && !before.endsWith('\n') ? '\n' : ''}# Written by npm start: signs this checkout's sessions. Keep it private; see .env.example.\n${line}\n`;
  writeFileSync(file, after, { mode: 0o600 });
  chmodSync(file, 0o600);
  process.env.JWT_SECRET = secret;
  log(`${current ? 'replaced the published JWT_SECRET in .env with a random one' : 'wrote a random JWT_SECRET to .env'} (kept out of git)`);
  return true;
}

// Settings that, like JWT_SECRET, have no default and get random values on a first start. A generated key id
// is unique, so a value sealed under a key that was later lost is reported as sealed with an unknown key.
const GENERATED_SECRETS = [
  ['SECRETS_KEYS', () => `local-${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}`, 'encrypts secret fields; without it they cannot be read'],
  ['TWO_FACTOR_PEPPER', () => randomBytes(32).toString('hex'), 'keys the hashes of recovery codes'],
];

/**
 * Write a random SECRETS_KEYS and TWO_FACTOR_PEPPER into `.env` (kept out of git) when neither the shell
 * nor `.env` sets them, filling an empty line copied from .env.example. Values already set are left
 * alone. Call after loadDotEnv. Answers the names it wrote.
 */
export function ensureGeneratedSecrets(root = REPO_ROOT) {
  const file = join(root, '.env');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const written = [];
  for (const [name, make, why] of GENERATED_SECRETS) {
    if (process.env[name]) continue;
    const value = make();
    const line = `${name}=${value}`;
    const existing = new RegExp(`^[ \\t]*(?:export[ \\t]+)?${name}[ \\t]*=.*$`, 'gm');
    text = text.match(existing)
      ? text.replace(existing, line)
      : `${text}${text && !text.endsWith('\n') ? '\n' : ''}# Written by npm start: ${why}. Keep it private; see .env.example.\n${line}\n`;
    process.env[name] = value;
    written.push(name);
  }
  if (!written.length) return written;
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
  log(`wrote a random ${written.join(' and ')} to .env (kept out of git)`);
  return written;
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

/**
 * `npm ci` when node_modules is missing or older than package-lock.json.
 * npm writes node_modules/.package-lock.json on every install, so its age
 * tells whether the tree matches the lockfile; a second start skips this.
 */
export async function ensureInstalled() {
  const lock = join(REPO_ROOT, 'package-lock.json');
  const installed = join(REPO_ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && mtime(installed) >= mtime(lock)) return false;
  log(existsSync(installed) ? 'package-lock.json changed: npm ci' : 'installing dependencies: npm ci');
  await run('npm', ['ci', '--no-audit', '--no-fund'], { what: 'npm ci' });
  return true;
}

// turbo's first-run telemetry banner is noise in every fresh clone and CI run.
process.env.TURBO_TELEMETRY_DISABLED ??= '1';

/** Run a command with inherited output; resolves on exit 0, rejects otherwise. */
export function run(command, args, { env = process.env, what = `${command} ${args.join(' ')}`, keepOutput = false } = {}) {
  return new Promise((resolve, reject) => {
    const stdio = keepOutput ? ['inherit', 'pipe', 'pipe'] : 'inherit';
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio, shell: process.platform === 'win32' });
    const output = keepOutput ? new OutputTail() : null;
    if (output) {
      child.stdout.on('data', (chunk) => (process.stdout.write(chunk), output.add(chunk)));
      child.stderr.on('data', (chunk) => (process.stderr.write(chunk), output.add(chunk)));
    }
    child.once('error', (e) => reject(new Error(`${what}: ${e.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const error = new Error(`${what} failed (${signal ? `signal ${signal}` : `exit code ${code}`})`);
      error.digest = output?.failures() ?? [];
      reject(error);
    });
  });
}

// Lines that name what failed, as jest, vitest, tsc, eslint and npm print them. A long run's
// log is cut from the top by whoever reads it, so these are printed again beside the summary.
const FAILURE_LINE = /(^|:\s)\s*(FAIL|✕|×|●(?! Console))\s|error TS\d+|\d+:\d+\s+error\s|npm (ERR!|error)|Tests:?\s.*\d+ failed/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const MAX_KEPT_BYTES = 8 * 1024 * 1024;

class OutputTail {
  chunks = [];
  bytes = 0;
  add(chunk) {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes > MAX_KEPT_BYTES && this.chunks.length > 1) this.bytes -= this.chunks.shift().length;
  }
  failures(limit = 60) {
    const lines = Buffer.concat(this.chunks).toString('utf8').replace(ANSI, '').split('\n');
    const hits = [...new Set(lines.filter((line) => FAILURE_LINE.test(line)).map((line) => line.trimEnd()))];
    return hits.length > limit ? [...hits.slice(0, limit), `… and ${hits.length - limit} more`] : hits;
  }
}

export function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
