import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { cloneTemplate, dropDatabase, withAdminClient } from '../support/db.js';
import { HttpClient } from '../support/http.js';
import { deleteRedisPrefix, testEnv } from '../support/test-app.js';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const SUITE_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The Redis fault needs a redis-server binary of its own to kill; without one (Docker-only machines) it is skipped, loudly. */
export const HAS_REDIS_SERVER = spawnSync('redis-server', ['--version']).status === 0;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway database copied from the migrated template, and a pool on it for assertions. */
export async function freshDatabase(): Promise<{ name: string; url: string; db: pg.Pool; drop(): Promise<void> }> {
  const name = `handoff_f_${randomBytes(5).toString('hex')}`;
  const url = await cloneTemplate(name);
  const db = new pg.Pool({ connectionString: url, max: 4, application_name: 'handoff-fault-test' });
  return {
    name,
    url,
    db,
    async drop() {
      await db.end();
      await withAdminClient((c) => c.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} WITH ALLOW_CONNECTIONS true`));
      await dropDatabase(name);
    },
  };
}

/** Close every connection the API processes hold on this database; the test's own pool is spared. */
export async function terminateApiConnections(dbName: string): Promise<number> {
  return withAdminClient(async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'handoff' AND pid <> pg_backend_pid()`,
      [dbName],
    );
    return rows[0]!.n;
  });
}

export async function allowConnections(dbName: string, allow: boolean): Promise<void> {
  await withAdminClient((c) => c.query(`ALTER DATABASE ${pg.escapeIdentifier(dbName)} WITH ALLOW_CONNECTIONS ${allow}`));
}

/** The test's own redis-server, with an append-only file, that it may kill and restart at will. */
export class OwnRedis {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'handoff-fault-redis-'));
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort());
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--dir', this.dir, '--save', '', '--maxmemory-policy', 'noeviction'], {
      stdio: 'ignore',
    });
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
    probe.on('error', () => undefined);
    try {
      await probe.connect().catch(() => undefined);
      for (let i = 0; i < 200; i++) {
        if ((await probe.ping().catch(() => '')) === 'PONG') return;
        await sleep(50);
      }
      throw new Error('redis-server did not start');
    } finally {
      probe.disconnect();
    }
  }

  /** A crash, not a shutdown: nothing gets to say goodbye. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface AppProcess {
  url: string;
  http: HttpClient;
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  exited(): boolean;
}

/** The built API (or worker) as a child process, as production runs it. */
export async function spawnApp(env: Record<string, string>, opts: { role?: 'all' | 'api' | 'worker' } = {}): Promise<AppProcess> {
  if (!existsSync(MAIN)) throw new Error(`build the API first: ${MAIN} is missing`);
  const role = opts.role ?? 'all';
  const port = role === 'worker' ? 0 : await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...testEnv('fault', env), LOG_LEVEL: 'warn', HANDOFF_ROLE: role, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port || 1}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const ready = role === 'worker' ? /Handoff worker is running/ : /Handoff is serving/;
  const until = Date.now() + 30_000;
  while (!ready.test(out)) {
    if (child.exitCode !== null) throw new Error(`the ${role} process exited at start:\n${out}`);
    if (Date.now() > until) throw new Error(`the ${role} process did not start:\n${out}`);
    await sleep(50);
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    http: new HttpClient(url),
    child,
    output: () => out,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const gone = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      return gone;
    },
  };
}

export async function cleanupPrefix(prefix: string, redisUrl = SUITE_REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await deleteRedisPrefix(redis, prefix);
  } catch {
    // a Redis the test already stopped has nothing left to clean
  } finally {
    redis.disconnect();
  }
}

export const uniquePrefix = (what: string) => `test:fault:${what}:${randomBytes(4).toString('hex')}`;

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

/** Figures each fault held, printed at the end so the run's log carries them. */
export function report(fault: string, figures: Record<string, unknown>): void {
  console.log(`[fault] ${fault}: ${Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 10) / 10 : JSON.stringify(v)}`).join(', ')}`);
}
