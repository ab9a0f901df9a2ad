// Throwaway databases, Redis prefixes and API processes for one scenario each,
// so no scenario sees another's rows, jobs or warm caches.
import { spawn, execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import http from 'node:http';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { writeFlameGraph } from './flamegraph.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const API_DIST = `${REPO_ROOT}apps/api/dist`;
export const WEB_DIST = `${REPO_ROOT}apps/web/dist`;

// The server the API would use (DATABASE_URL), reached through its maintenance
// database for CREATE/DROP DATABASE; every scenario gets a database of its own there.
export const ADMIN_DATABASE_URL = (() => {
  const u = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  u.pathname = '/postgres';
  return u.toString();
})();
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 20);
// One secret per bench run: the bench signs its own access tokens (see mintToken).
export const JWT_SECRET = randomBytes(32).toString('hex');
export const GENERATED_SECRETS = { SECRETS_KEYS: `bench:${randomBytes(32).toString('base64')}`, TWO_FACTOR_PEPPER: randomBytes(32).toString('hex') };
export const DEMO_PASSWORD = 'handoff-demo-2026';
export const DEMO_CLIENT = 'owner@acme-dental.test';

const run = promisify(execFile);
const cleanups = new Set();

/** Registered undo steps run even when a scenario throws or the run is interrupted. */
export function onCleanup(fn) {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export async function cleanupAll() {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      await fn();
    } catch (e) {
      console.error(`cleanup failed: ${e.message}`);
    }
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const rand = () => randomBytes(4).toString('hex');
/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function dbUrl(name) {
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** `handoff_bench_<rand>`, created, migrated and seeded by the API's own CLI, dropped on cleanup. */
export async function createBenchDb() {
  const name = `handoff_bench_${rand()}`;
  const url = dbUrl(name);
  const drop = async () => {
    const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  };
  const undo = onCleanup(drop);
  try {
    await run(process.execPath, [`${API_DIST}/database/cli.js`, 'setup'], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: url, JWT_SECRET } });
  } catch (e) {
    throw new Error(`database setup failed: ${e.stderr || e.message}`);
  }
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  pool.on('error', () => undefined);
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      undo();
      await drop();
    },
    /** Leave the database in place (for EXPLAIN); the caller prints its name. */
    async keep() {
      undo();
      await pool.end().catch(() => undefined);
    },
  };
}

/** A Redis prefix of our own; its keys are deleted on cleanup (bounded SCAN, never FLUSHALL). */
export function benchPrefix() {
  const prefix = `hbench_${rand()}`;
  const purge = async () => {
    const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    await r.connect();
    try {
      let cursor = '0';
      for (let i = 0; i < 100_000; i++) {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await r.unlink(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
    } finally {
      r.disconnect();
    }
  };
  const undo = onCleanup(purge);
  return {
    prefix,
    async purge() {
      undo();
      await purge();
    },
  };
}

/**
 * Wait until the API has relayed every outbox row and the dispatch queue has
 * nothing left to run, and say how long that took. A scenario whose requests
 * leave work behind is charged for finishing it, and the next baseline window
 * does not run beside the leftovers.
 */
export async function untilSettled({ db, prefix, timeoutMs = 120_000 }) {
  const started = performance.now();
  const queue = new Queue('dispatch', { connection: redisConnection(), prefix });
  try {
    while (performance.now() - started < timeoutMs) {
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM outbox');
      if (rows[0].n === 0) {
        const { waiting, active, prioritized } = await queue.getJobCounts('waiting', 'active', 'prioritized');
        if (waiting + active + prioritized === 0) return performance.now() - started;
      }
      await sleep(10);
    }
    throw new Error(`the API did not settle within ${timeoutMs / 1000} s`);
  } finally {
    await queue.close();
  }
}

export function redisConnection() {
  const u = new URL(REDIS_URL);
  return { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
}

/** Read the resident set of a process (MB) from /proc; null where there is no /proc. */
/**
 * CPU time a process has used, user and system, in microseconds, from
 * /proc/<pid>/stat (in clock ticks; USER_HZ is 100 on Linux); null elsewhere.
 */
export function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}

export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function getJson(url, { headers = {}, timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body: body ? safeJson(body) : null }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function safeJson(s) {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

// A shared machine at a load of 20+ took 23–26 s to start the built API.
async function waitForHttp(url, child, output, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before serving:\n${output.join('')}`);
    try {
      const r = await getJson(url, { timeoutMs: 500 });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms:\n${output.join('')}`);
}

function stopChild(child, timeoutMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Spawn a node script with captured output; `ready` resolves once `probeUrl` answers 200. */
export async function spawnNode(args, { env = {}, probeUrl, ipc = false } = {}) {
  const output = [];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c) => {
    output.push(c.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const undo = onCleanup(() => stopChild(child));
  const handle = {
    child,
    pid: child.pid,
    output,
    async stop() {
      undo();
      await stopChild(child);
    },
  };
  if (probeUrl) await waitForHttp(probeUrl, child, output);
  return handle;
}

/**
 * The built API as production runs it, on a free loopback port. Limits are
 * raised so the bench measures the work, not the rate limiter.
 */
export async function startApi({ db, prefix, env = {}, nodeArgs = [] }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const handle = await spawnNode([...nodeArgs, `${API_DIST}/main.js`], {
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: url,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET,
      ...GENERATED_SECRETS,
      ACCESS_TOKEN_TTL: '2h',
      LOG_LEVEL: 'warn',
      SERVE_WEB: 'false',
      LOGIN_RATE_LIMIT: '100000',
      REGISTER_RATE_LIMIT: '100000',
      CLAIM_RATE_LIMIT: '100000',
      ...env,
    },
    probeUrl: `${url}/api/health/live`,
  });
  return { ...handle, url, port, rss: () => rssMb(handle.pid) };
}

function b64url(s) {
  return Buffer.from(s).toString('base64url');
}

/**
 * An access token exactly as the API issues it (HS256, same claims, a live session).
 * Logging a thousand assistants in would spend the setup on argon2, which is not
 * what any scenario measures; the API still verifies every token and reads the user.
 */
function signToken({ id, role, sid, tokenVersion = 0 }) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ role, tv: tokenVersion, sid, sub: id, iss: 'handoff', aud: 'handoff-api', iat: now, exp: now + 7200 }));
  const sig = createHmac('sha256', JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/**
 * Sessions for these users, as a sign-in opens them: one refresh-token family each,
 * since an access token is honoured only while its family lives. Answers the family ids in order.
 */
async function openSessions(db, userIds) {
  const { rows } = await db.pool.query(
    `INSERT INTO refresh_tokens (family_id, user_id, token_hash, token_version, expires_at)
     SELECT gen_random_uuid(), u, md5(random()::text || u::text), 0, now() + interval '1 day'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS x(u, n) ORDER BY n
     RETURNING family_id, user_id`,
    [userIds],
  );
  const byUser = new Map(rows.map((r) => [r.user_id, r.family_id]));
  return userIds.map((id) => byUser.get(id));
}

/**
 * A signed-in user's access token without the password round. An admin also gets a
 * second factor on record where the build has two-factor sign-in, since admin routes
 * answer nothing else until one is enrolled.
 */
export async function mintToken(db, { id, role, tokenVersion = 0 }) {
  if (role === 'admin' && (await db.pool.query(`SELECT to_regclass('user_two_factor') IS NOT NULL AS present`)).rows[0].present) {
    await db.pool.query(
      `INSERT INTO user_two_factor (user_id, secret_sealed, enabled_at) VALUES ($1, 'bench: never read', now()) ON CONFLICT (user_id) DO NOTHING`,
      [id],
    );
  }
  const [sid] = await openSessions(db, [id]);
  return signToken({ id, role, sid, tokenVersion });
}

export async function login(baseUrl, email, password) {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const { accessToken } = await res.json();
  if (!accessToken) throw new Error(`login ${email}: the account has two-factor sign-in on; bench accounts sign in with a password alone`);
  await enrolIfRequired(baseUrl, accessToken);
  return accessToken;
}

/**
 * Admins must have a second factor before any other route answers them: enrol a freshly seeded one
 * (its token keeps working once enrolled). Bench accounts sign in once, so the second step never comes up.
 */
async function enrolIfRequired(baseUrl, token) {
  const call = async (method, path, body) => {
    const r = await fetch(`${baseUrl}/api${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body && JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  // A build from before two-factor sign-in answers 404 here: nothing to enrol.
  const probe = await fetch(`${baseUrl}/api/auth/two-factor`, { headers: { authorization: `Bearer ${token}` } });
  if (probe.status === 404) return;
  if (!probe.ok) throw new Error(`GET /auth/two-factor: ${probe.status} ${await probe.text()}`);
  const status = await probe.json();
  if (!status.required || status.enabled) return;
  const { generateSync } = await import('otplib');
  const { secret } = await call('POST', '/auth/two-factor/enrolment');
  const code = generateSync({ secret, epoch: Math.floor(Date.now() / 1000), digits: 6, algorithm: 'sha1', period: 30 });
  await call('POST', '/auth/two-factor/enrolment/confirm', { code });
}

/**
 * `count` assistants inserted in one statement, all with the demo password
 * hash (so they could sign in), each with its own skills; returns ids and tokens.
 */
export async function insertAssistants(db, { count, skillsFor, maxConcurrent = 10_000, online = false, tag = rand() }) {
  const [{ password_hash: hash }] = (await db.pool.query(`SELECT password_hash FROM users WHERE role = 'assistant' LIMIT 1`)).rows;
  const emails = [];
  const skills = [];
  for (let i = 0; i < count; i++) {
    emails.push(`bench-${tag}-${i}@assistants.test`);
    skills.push(`{${skillsFor(i).join(',')}}`);
  }
  const { rows } = await db.pool.query(
    `INSERT INTO users (email, password_hash, name, role, skills, max_concurrent_tasks, online)
     SELECT e, $3, 'Bench assistant', 'assistant', s::task_category[], $4, $5 FROM unnest($1::text[], $2::text[]) AS x(e, s)
     RETURNING id, email`,
    [emails, skills, hash, maxConcurrent, online],
  );
  const order = new Map(emails.map((e, i) => [e, i]));
  rows.sort((a, b) => order.get(a.email) - order.get(b.email));
  const sessions = await openSessions(db, rows.map((r) => r.id));
  return rows.map((r, i) => ({ id: r.id, email: r.email, token: signToken({ id: r.id, role: 'assistant', sid: sessions[i] }) }));
}

export async function userByEmail(db, email) {
  const { rows } = await db.pool.query(`SELECT id, role, organization_id, token_version FROM users WHERE lower(email) = lower($1)`, [email]);
  if (!rows[0]) throw new Error(`no user ${email}`);
  return rows[0];
}

/**
 * What the API's statements need of a TypeORM manager (rows for a statement),
 * over the bench's own pool, with the API's own switch on: its statements go
 * out as they do from the API, named and planned once per connection.
 */
export async function apiStatements(db) {
  const { prepareStatements, query } = await import(`${API_DIST}/database/sql.js`);
  const manager = { query: (text, values) => db.pool.query(text, values).then((res) => res.rows) };
  prepareStatements(manager);
  return { manager, query: (text, values) => query(manager, text, values) };
}

export function ensureBuilt() {
  if (!existsSync(`${API_DIST}/main.js`) || !existsSync(`${API_DIST}/database/cli.js`)) {
    throw new Error('apps/api/dist is missing: run `npm run bench` (it builds first) or `npx turbo run build --filter=@handoff/api`');
  }
}

/**
 * A second API under `node --cpu-prof`, for the profile only: the measured
 * API stays unprofiled, since the profiler itself costs a tenth or more.
 * Its `stop` waits for the profile (written as the process exits), draws its
 * flame graph beside it and prints how to read both; `skipSeconds` leaves out
 * the start (by default, until the API answered).
 */
export async function profiledApi({ db, prefix, name, env }) {
  const dir = `${REPO_ROOT}bench/results/profiles`;
  const base = `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
  const file = `${dir}/${base}`;
  const t = Date.now();
  const api = await startApi({ db, prefix, env, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', base] });
  const startupSeconds = (Date.now() - t) / 1000;
  const rel = (path) => relative(REPO_ROOT, path);
  return {
    ...api,
    file,
    async stop({ skipSeconds = startupSeconds } = {}) {
      await api.stop();
      const skip = Math.ceil(skipSeconds);
      try {
        const { out } = writeFlameGraph(file, { skipSeconds: skip });
        console.log(`  ${name}: profile ${rel(file)}; summary: node bench/profile-summary.mjs ${rel(file)} --skip ${skip}; flame graph: ${rel(out)}`);
      } catch (e) {
        console.log(`  ${name}: no profile to read at ${rel(file)} (${e instanceof Error ? e.message : e})`);
      }
    },
  };
}
