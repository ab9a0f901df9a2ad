import { jobId, type TaskView } from '@handoff/contracts';
import { Queue, type ConnectionOptions } from 'bullmq';
import pg from 'pg';
import { redisOptionsFromUrl } from '../../src/redis/redis.module.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from '../support/factories.js';
import { act, eventually, submitTask } from '../support/tasks.js';
import { cleanupPrefix, freshDatabase, report, spawnApp, uniquePrefix, type AppProcess } from './support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN = { email: 'admin@handoff.local', password: 'handoff-admin-2026' };

/**
 * A claim-expiry job blocks on a row lock the test holds (as behind any long
 * transaction), so it is certainly running when its worker is SIGKILLed.
 */
describe('fault: workers killed mid-job', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let prefix: string;
  let api: AppProcess;
  let timers: Queue;
  const workers: AppProcess[] = [];
  let env: Record<string, string>;
  let client: Session;
  let assistant: Session;
  let admin: Session;

  beforeAll(async () => {
    database = await freshDatabase();
    prefix = uniquePrefix('worker-kill');
    env = {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      CLAIM_WINDOW: '1s',
      RECONCILE_INTERVAL: '1s',
      DEFAULT_MAX_CONCURRENT_TASKS: '50',
      WORKER_LOCK_DURATION: '1s',
      WORKER_STALLED_INTERVAL: '500ms',
      WORKER_MAX_STALLED_COUNT: '2',
    };
    api = await spawnApp(env, { role: 'api' });
    timers = new Queue('timers', { connection: redisOptionsFromUrl(REDIS_URL) as ConnectionOptions, prefix });
    client = await registerClient(api.http);
    assistant = await registerAssistant(api.http, ['payroll']);
    admin = await loginAdmin(api.http, { admin: ADMIN });
  });
  afterAll(async () => {
    for (const w of workers) await w.kill();
    await api?.kill('SIGTERM');
    await timers?.close();
    await database?.drop();
    await cleanupPrefix(prefix);
  });

  const startWorker = async () => {
    const w = await spawnApp(env, { role: 'worker' });
    workers.push(w);
    return w;
  };
  const activeTimers = async () => (await api.http.get('/api/admin/queues', { token: admin.token })).body.queues.find((q: { name: string }) => q.name === 'timers');

  async function claimedTasks(n: number): Promise<TaskView[]> {
    const out: TaskView[] = [];
    for (let i = 0; i < n; i++) {
      const task = await submitTask(api.http, client, { category: 'payroll' });
      expect((await act(api.http, assistant, task.id, 'claim')).status).toBe(200);
      out.push(task);
    }
    return out;
  }

  /** A transaction holding the tasks' rows, so any transition on them waits. */
  async function lockRows(ids: string[]): Promise<{ release(): Promise<void> }> {
    const c = new pg.Client({ connectionString: database.url });
    c.on('error', () => undefined);
    await c.connect();
    await c.query('BEGIN');
    await c.query(`SELECT id FROM tasks WHERE id = ANY($1::uuid[]) FOR UPDATE`, [ids]);
    return {
      async release() {
        await c.query('COMMIT');
        await c.end();
      },
    };
  }

  const stalledCounts = async (tasks: TaskView[]) =>
    Promise.all(tasks.map(async (t) => (await timers.getJob(jobId.claimExpiry(t.id, 2)))?.stalledCounter ?? -1));

  it('redelivers every job a killed worker held, applies each once, fails (visibly) the ones past the stall limit, and an admin retry finishes them', async () => {
    const redelivered = await claimedTasks(6);
    const doomed = await claimedTasks(3);
    const lockA = await lockRows(redelivered.map((t) => t.id));
    const lockB = await lockRows(doomed.map((t) => t.id));
    const all = [...redelivered, ...doomed];
    let kills = 0;

    // Two rounds: every job running, the worker SIGKILLed, a new one takes them back.
    for (let round = 1; round <= 2; round++) {
      const w = await startWorker();
      await eventually(() => stalledCounts(all), (c) => c.every((n) => n === round - 1), 15_000, 100);
      await eventually(activeTimers, (q) => q.active === all.length, 15_000, 100);
      await w.kill('SIGKILL');
      kills++;
    }
    // The third worker gets them all back; the first six are let through and apply.
    const third = await startWorker();
    await eventually(() => stalledCounts(all), (c) => c.every((n) => n === 2), 15_000, 100);
    await eventually(activeTimers, (q) => q.active === all.length, 15_000, 100);
    await lockA.release();
    for (const t of redelivered) {
      await eventually(async () => (await timers.getJob(jobId.claimExpiry(t.id, 2)))?.getState(), (s) => s === 'completed' || s === undefined, 15_000, 100);
    }
    // The other three die a third time, past WORKER_MAX_STALLED_COUNT=2: failed, not lost.
    await third.kill('SIGKILL');
    kills++;
    await startWorker();
    for (const t of doomed) {
      await eventually(async () => (await timers.getJob(jobId.claimExpiry(t.id, 2)))?.getState(), (s) => s === 'failed', 15_000, 100);
    }
    await lockB.release();
    const queues = await activeTimers();
    expect(queues.failed).toBe(doomed.length);
    const failed = await api.http.get('/api/admin/queues/timers/failed', { token: admin.token });
    expect(failed.body.items.map((j: { id: string }) => j.id).sort()).toEqual(doomed.map((t) => jobId.claimExpiry(t.id, 2)).sort());
    for (const j of failed.body.items) expect(j.failedReason).toMatch(/stalled/);

    // Whether a failed job's work got done is up to chance: a killed worker's statement may
    // still be queued on the row lock and commit once it lifts (its backend notices the
    // dead client only afterwards), or it may have timed out or never left the process.
    // The admin's retry settles it; the conditional update makes any second try a no-op.
    const retry = await api.http.post('/api/admin/queues/timers/retry', {}, { token: admin.token });
    expect(retry.body).toEqual({ retried: doomed.length, skipped: [] });
    for (const t of doomed) {
      await eventually(async () => (await timers.getJob(jobId.claimExpiry(t.id, 2)))?.getState(), (s) => s === 'completed' || s === undefined, 15_000, 100);
    }

    // Effects: every task went back to the queue exactly once.
    const { rows } = await database.db.query<{ task_id: string; n: number }>(
      `SELECT task_id, count(*)::int AS n FROM task_events WHERE action = 'expire' AND task_id = ANY($1::uuid[]) GROUP BY task_id`,
      [all.map((t) => t.id)],
    );
    expect(Object.fromEntries(rows.map((r) => [r.task_id, r.n]))).toEqual(Object.fromEntries(all.map((t) => [t.id, 1])));
    for (const t of all) {
      await eventually(() => api.http.get<TaskView>(`/api/tasks/${t.id}`, { token: client.token }).then((r) => r.body.status), (st) => st === 'queued', 10_000, 100);
    }

    report('worker killed mid-job', {
      workerKills: kills,
      jobsHeldPerKill: all.length,
      redeliveries: redelivered.length * 2 + doomed.length * 2,
      tasksExpiredExactlyOnce: all.length,
      failedAfterStallLimit: doomed.length,
      retriedByAdmin: retry.body.retried,
    });
  });
});
