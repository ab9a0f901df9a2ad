// Plain ES module: Jest runs its global setup outside the ESM transform.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { resolve } from 'node:path';
import { API_CLI, API_MAIN, ARTIFACTS_DIR, BASE_URL_VAR, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, REPO_ROOT, WEB_INDEX } from './env.mjs';

const HEALTH_TIMEOUT_MS = 60_000;

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((done, fail) => {
    const srv = net.createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => done(address.port));
    });
  });
}

/**
 * @param {string} url
 * @param {import('node:child_process').ChildProcess} server
 * @param {string} logFile
 */
async function waitForHealth(url, server, logFile) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`the API exited (${server.exitCode ?? server.signalCode}) before answering ${url}; see ${logFile}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the API did not answer ${url} within ${HEALTH_TIMEOUT_MS / 1000} s; see ${logFile}`);
}

/**
 * One fresh world per run: a new database and Redis prefix, so a run never
 * sees another run's data (or a developer's), and the built API serving the
 * built dashboard on a free port.
 */
export default async function globalSetup() {
  /** @type {[string, string][]} */
  const builds = [
    [API_MAIN, 'the API'],
    [WEB_INDEX, 'the dashboard'],
  ];
  for (const [file, what] of builds) {
    if (!existsSync(file)) throw new Error(`${what} is not built (${file} is missing): run \`npx turbo run build\` first, or \`npm test\` at the root`);
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });

  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = new URL(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  const databaseName = `handoff_e2e_${runId}`;
  databaseUrl.pathname = `/${databaseName}`;
  const port = await freePort();
  /** @type {import('./env.mjs').RunState} */
  const state = {
    databaseUrl: databaseUrl.toString(),
    databaseName,
    redisUrl: process.env.REDIS_URL || DEFAULT_REDIS_URL,
    redisPrefix: `handoff-e2e-${runId}`,
    baseUrl: `http://127.0.0.1:${port}`,
  };
  // Jest hands globals set here to the global teardown.
  /** @type {any} */ (globalThis).__handoffE2e = { state };

  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    // The API has no default secret; a run signs with its own, never a developer's .env one.
    JWT_SECRET: randomBytes(32).toString('hex'),
    SECRETS_KEYS: `e2e:${randomBytes(32).toString('base64')}`, TWO_FACTOR_PEPPER: randomBytes(32).toString('hex'),
    DATABASE_URL: state.databaseUrl,
    REDIS_URL: state.redisUrl,
    REDIS_PREFIX: state.redisPrefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: state.baseUrl,
    SERVE_WEB: 'true',
    LOG_LEVEL: 'warn',
    // Every browser and fetch in the run signs in from 127.0.0.1; the per-IP
    // limits meant for the internet would make the suite depend on its own size.
    LOGIN_RATE_LIMIT: '1000',
    LOGIN_ACCOUNT_LIMIT: '1000',
    LOGIN_ADDRESS_LIMIT: '1000',
    REGISTER_RATE_LIMIT: '1000',
  };
  delete env.WEB_DIST;

  const setup = spawnSync(process.execPath, [API_CLI, 'setup'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  if (setup.status !== 0) {
    throw new Error(`database setup failed for ${databaseName}:\n${setup.stdout ?? ''}${setup.stderr ?? ''}${setup.error?.message ?? ''}`);
  }

  const logFile = resolve(ARTIFACTS_DIR, 'server.log');
  const log = createWriteStream(logFile);
  const server = spawn(process.execPath, [API_MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  /** @type {any} */ (globalThis).__handoffE2e.server = server;
  // A crashed or interrupted Jest must not leave the server holding its port.
  process.once('exit', () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  });

  await waitForHealth(`${state.baseUrl}/api/health`, server, logFile);
  process.env[BASE_URL_VAR] = state.baseUrl;
  console.log(`\ne2e: API and dashboard on ${state.baseUrl}, database ${databaseName}, Redis prefix ${state.redisPrefix}`);
}
