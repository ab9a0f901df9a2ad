// Plain ES module: Jest runs its global teardown outside the ESM transform.
import { Redis } from 'ioredis';
import pg from 'pg';

const STOP_TIMEOUT_MS = 10_000;

/** @param {import('node:child_process').ChildProcess} server */
function stop(server) {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
    server.once('exit', () => {
      clearTimeout(force);
      done(undefined);
    });
    server.kill('SIGTERM');
  });
}

/** Stop the server, then drop what the run created. HANDOFF_E2E_KEEP=1 keeps the database to look at after a failure. */
export default async function globalTeardown() {
  /** @type {{ server?: import('node:child_process').ChildProcess, state: import('./env.mjs').RunState } | undefined} */
  const run = /** @type {any} */ (globalThis).__handoffE2e;
  if (!run) return;
  if (run.server) await stop(run.server);
  const { state } = run;
  if (process.env.HANDOFF_E2E_KEEP === '1') {
    console.log(`\ne2e: kept database ${state.databaseName} and Redis prefix ${state.redisPrefix}`);
    return;
  }

  const admin = new URL(state.databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(state.databaseName)} WITH (FORCE)`);
  } finally {
    await client.end();
  }

  // The prefix is unique to this run, so matching it anywhere in a key (BullMQ may wrap it in {}) is safe.
  const redis = new Redis(state.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${state.redisPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
