#!/usr/bin/env node
// Makes sure PostgreSQL and Redis answer before anything needs them.
// Plain Node with no dependencies: it runs before `npm install`.
//
//   node infra/scripts/services.mjs     (or: npm run services)
//
// Order of attempts for a service on this machine that does not answer:
// the locally installed server, then Docker Compose, then a message that
// says what to install or which variable to set. Every wait is bounded.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/handoff';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const PROBE_TIMEOUT_MS = 1_500;
const START_WAIT_MS = 20_000;
const COMPOSE_TIMEOUT_MS = 300_000; // a first `docker compose up` pulls images
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '']);

export class ServicesError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ServicesError';
  }
}

/** Host and port of DATABASE_URL and REDIS_URL (or their defaults), validated early with a clear message. */
export function serviceTargets(env = process.env) {
  const parse = (variable, fallback, protocols, defaultPort) => {
    const raw = env[variable] || fallback;
    let url;
    try {
      url = new URL(raw);
    } catch {
      throw new ServicesError(`${variable} is not a URL: "${raw}"`);
    }
    if (!protocols.includes(url.protocol)) {
      throw new ServicesError(`${variable} must start with ${protocols.join(' or ')}// (got "${url.protocol}//")`);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return { variable, url: raw, host: host || '127.0.0.1', port: Number(url.port || defaultPort) };
  };
  return {
    postgres: { name: 'PostgreSQL', ...parse('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:'], 5432) },
    redis: { name: 'Redis', ...parse('REDIS_URL', DEFAULT_REDIS_URL, ['redis:', 'rediss:'], 6379) },
  };
}

/** True when something accepts a TCP connection on host:port within the timeout. */
export function probe(host, port, timeoutMs = PROBE_TIMEOUT_MS) {
  return new Promise((done) => {
    const socket = net.connect({ host, port });
    const finish = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

async function waitFor(target, timeoutMs, log) {
  log(`  waiting up to ${Math.round(timeoutMs / 1000)} s for ${target.name} on ${target.host}:${target.port} ...`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe(target.host, target.port)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function run(command, args, { timeoutMs = 30_000, quiet = false } = {}) {
  const r = spawnSync(command, args, {
    cwd: REPO_ROOT,
    stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  return r.status === 0 && !r.error;
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

// Debian and Ubuntu keep one folder per installed major version in /etc/postgresql.
function startLocalPostgres(target, log) {
  if (!existsSync('/etc/postgresql') || !onPath('pg_ctlcluster')) return false;
  const versions = readdirSync('/etc/postgresql').sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const clusters = readdirSync(`/etc/postgresql/${version}`);
    const cluster = clusters.includes('main') ? 'main' : clusters[0];
    if (!cluster) continue;
    log(`  starting the local PostgreSQL ${version}/${cluster}: pg_ctlcluster --skip-systemctl-redirect ${version} ${cluster} start`);
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, cluster, 'start'], { timeoutMs: 60_000 });
    return true;
  }
  return false;
}

function startLocalRedis(target, log) {
  if (!onPath('redis-server')) return false;
  const args = ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(target.port), '--save', '', '--appendonly', 'no'];
  log(`  starting the local Redis: redis-server ${args.map((a) => (a === '' ? '""' : a)).join(' ')}`);
  run('redis-server', args, { timeoutMs: 15_000 });
  return true;
}

function dockerAvailable() {
  return onPath('docker') && run('docker', ['info'], { timeoutMs: 15_000, quiet: true });
}

const HOW_TO_INSTALL = {
  postgres:
    'Install and start PostgreSQL 15 or newer (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql@17 && brew services start postgresql@17`), ' +
    'or install Docker so `docker compose up -d postgres` can run it, ' +
    'or set DATABASE_URL to a PostgreSQL you can reach (e.g. postgres://user:password@host:5432/handoff).',
  redis:
    'Install and start Redis 7 (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis && brew services start redis`), ' +
    'or install Docker so `docker compose up -d redis` can run it, ' +
    'or set REDIS_URL to a Redis you can reach (e.g. redis://host:6379).',
};

/**
 * Make sure PostgreSQL and Redis answer; start them if they are local and
 * installed (or through Docker Compose). Throws ServicesError with a message
 * for a person when it cannot.
 */
export async function ensureServices({ env = process.env, log = (m) => console.log(m) } = {}) {
  const targets = serviceTargets(env);
  const down = [];
  for (const [key, target] of Object.entries(targets)) {
    if (!(await probe(target.host, target.port))) down.push(key);
  }
  if (!down.length) {
    log(`services: PostgreSQL (${targets.postgres.host}:${targets.postgres.port}) and Redis (${targets.redis.host}:${targets.redis.port}) answer`);
    return targets;
  }

  const problems = [];
  const forCompose = [];
  const startedLocally = new Set();
  for (const key of down) {
    const target = targets[key];
    log(`services: ${target.name} does not answer on ${target.host}:${target.port}`);
    if (!LOCAL_HOSTS.has(target.host)) {
      problems.push(`${target.name} at ${target.host}:${target.port} (from ${target.variable}) does not answer. Start it, or point ${target.variable} at one that runs.`);
      continue;
    }
    const started = key === 'postgres' ? startLocalPostgres(target, log) : startLocalRedis(target, log);
    if (started && (await waitFor(target, START_WAIT_MS, log))) {
      log(`services: ${target.name} is up`);
      continue;
    }
    if (started) {
      startedLocally.add(key);
      log(`  the local ${target.name} did not come up on port ${target.port}; trying Docker next`);
    }
    forCompose.push(key);
  }

  if (forCompose.length) {
    if (dockerAvailable()) {
      log(`services: docker compose up -d --wait ${forCompose.join(' ')} (up to ${COMPOSE_TIMEOUT_MS / 1000} s; a first run pulls images)`);
      const ok = run('docker', ['compose', 'up', '-d', '--wait', ...forCompose], { timeoutMs: COMPOSE_TIMEOUT_MS });
      for (const key of forCompose) {
        const target = targets[key];
        if (ok && (await waitFor(target, START_WAIT_MS, log))) log(`services: ${target.name} is up (Docker)`);
        else problems.push(`${target.name} did not come up through Docker Compose on ${target.host}:${target.port}; see \`docker compose logs ${key}\`. ${HOW_TO_INSTALL[key]}`);
      }
    } else {
      for (const key of forCompose) {
        const target = targets[key];
        const why = startedLocally.has(key)
          ? `the local ${target.name} was started but does not listen on port ${target.port} (is ${target.variable} right?)`
          : 'no local server is installed';
        problems.push(`${target.name} is not running on ${target.host}:${target.port}: ${why}, and Docker is not available. ${HOW_TO_INSTALL[key]}`);
      }
    }
  }

  if (problems.length) throw new ServicesError(`Handoff needs PostgreSQL and Redis:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return targets;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureServices().catch((e) => {
    console.error(e instanceof ServicesError ? `\n${e.message}\n` : e);
    process.exit(1);
  });
}
