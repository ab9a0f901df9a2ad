import { jobId, type TaskView } from '@handoff/contracts';
import type { Redis } from 'ioredis';
import { JobsService } from '../../src/dispatch/jobs.service.js';
import { REDIS } from '../../src/redis/redis.module.js';
import { WorkerWatchdog } from '../../src/workers/worker-watchdog.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from '../support/factories.js';
import { act, announceState, eventually, submitTask, taskBody } from '../support/tasks.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { HAS_REDIS_SERVER, OwnRedis, report, sleep, timed } from './support.js';

if (!HAS_REDIS_SERVER) console.warn('fault tests: no redis-server on PATH, so the Redis restart fault is skipped');

(HAS_REDIS_SERVER ? describe : describe.skip)('fault: Redis restarts mid-run', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let client: Session;
  let assistant: Session;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    t = await startTestApp({
      REDIS_URL: redis.url,
      RECONCILE_INTERVAL: '1s',
      CLAIM_WINDOW: '3s',
      // Every timer through the relay, the path an outage tests; the sweep has its own tests.
      TIMER_HORIZON: '48h',
      DEFAULT_MAX_CONCURRENT_TASKS: '20',
      WORKER_WATCHDOG_INTERVAL: '500ms',
    });
    client = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['data_entry']);
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const dispatchQueue = () => t.app.get(JobsService).queue('dispatch');
  const jobState = async (queue: 'dispatch' | 'timers', id: string) => {
    const job = await t.app.get(JobsService).queue(queue).getJob(id);
    return job ? await job.getState() : 'missing';
  };

  it('refuses writes fast while it is down, reports it, and afterwards dispatches, times and bills all that came before', async () => {
    // Before: ten tasks, three claimed (their claim windows run through the outage), two in progress.
    const tasks: TaskView[] = [];
    for (let i = 0; i < 10; i++) tasks.push(await submitTask(t.http, client));
    const claimed = tasks.slice(0, 3);
    const working = tasks.slice(3, 5);
    for (const x of [...claimed, ...working]) expect((await act(t.http, assistant, x.id, 'claim')).status).toBe(200);
    for (const x of working) expect((await act(t.http, assistant, x.id, 'start')).status).toBe(200);

    // Crash Redis without waiting for the relay: whatever it had not sent stays in the outbox.
    const killedAt = Date.now();
    await redis.kill();
    // The child's exit can be read before the API's socket sees the close; the guard refuses from then on.
    const appRedis = t.app.get<Redis>(REDIS, { strict: false });
    await eventually(async () => appRedis.status, (s) => s !== 'ready', 5_000, 10);

    const refusals: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { value, ms } = await timed(() => t.http.post('/api/tasks', taskBody(), { token: client.token }));
      expect(value.status).toBe(503);
      expect(value.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(value.headers.get('retry-after')).toBe('2');
      refusals.push(ms);
    }
    expect(Math.max(...refusals)).toBeLessThan(1_000);
    // Reads come from PostgreSQL and go on working.
    expect((await t.http.get('/api/tasks', { token: client.token })).status).toBe(200);
    const health = await eventually(() => t.http.get('/api/health'), (r) => r.status === 503 && r.body.redis === 'down', 5_000, 100);
    const healthDownMs = Date.now() - killedAt;
    expect(health.body.postgres).toBe('up');
    expect(healthDownMs).toBeLessThan(5_000);
    await sleep(1_500);

    const restartedAt = Date.now();
    await redis.up();
    await eventually(() => t.http.get('/api/health'), (r) => r.status === 200, 10_000, 100);
    const healthUpMs = Date.now() - restartedAt;
    // Health pings the app's shared connection; each queue reconnects on its own, and refuses
    // commands until it has, so the reads below wait for every queue to answer.
    const queuesAnswer = () => Promise.all(t.app.get(JobsService).allQueues().map((q) => q.count())).then(() => true, (e: Error) => e.message);
    await eventually(queuesAnswer, (ok) => ok === true, 10_000, 100);

    // Dispatched: every task submitted before the outage was announced, and has its deadline timer.
    for (const x of tasks) {
      await eventually(() => announceState(dispatchQueue(), x.id, 1), (s) => s === 'completed', 15_000, 100);
      expect(['delayed', 'waiting']).toContain(await jobState('timers', jobId.deadline(x.id)));
    }
    // Timed: the claims that were never started went back to the queue when their window ran out.
    for (const x of claimed) {
      const back = await eventually(() => t.http.get<TaskView>(`/api/tasks/${x.id}`, { token: client.token }).then((r) => r.body), (b) => b.status === 'queued', 15_000, 100);
      expect(back.assigneeId).toBeNull();
    }
    const workersBackMs = Date.now() - restartedAt;
    // Billed: the work in progress comes back and is charged once.
    for (const x of working) expect((await act(t.http, assistant, x.id, 'return', { result: 'done' })).status).toBe(200);
    const { rows: ledger } = await t.db.query<{ kind: string; n: number }>(`SELECT kind, count(*)::int AS n FROM ledger_entries GROUP BY kind ORDER BY kind`);
    expect(ledger).toEqual([
      { kind: 'charge', n: 2 },
      { kind: 'payout', n: 2 },
    ]);
    await eventually(async () => (await t.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n, (n) => n === 0, 10_000, 100);
    // New work flows again.
    const after = await submitTask(t.http, client);
    await eventually(() => announceState(dispatchQueue(), after.id, 1), (s) => s === 'completed', 10_000, 100);
    const admin = await loginAdmin(t.http, t.config);
    const queues = await t.http.get('/api/admin/queues', { token: admin.token });
    // Nothing failed in any queue, whichever queues there are.
    expect(queues.body.queues.map((q: { name: string; failed: number }) => [q.name, q.failed])).toEqual(queues.body.queues.map((q: { name: string }) => [q.name, 0]));

    report('redis restart', {
      writesRefused: refusals.length,
      slowestRefusalMs: Math.max(...refusals),
      healthDownAfterMs: healthDownMs,
      healthUpAfterRestartMs: healthUpMs,
      allTimersFiredAfterRestartMs: workersBackMs,
      watchdogRestarts: t.app.get(WorkerWatchdog).restarts,
    });
  });

  it('the watchdog restarts a worker whose loop ended while Redis was fine', async () => {
    const watchdog = t.app.get(WorkerWatchdog);
    const before = watchdog.restarts;
    const [dispatch] = watchdog.workers();
    // The state an unclassified Redis error leaves behind: not closing, not paused, not running.
    const w = dispatch as unknown as { paused: boolean; mainLoopRunning: Promise<void> | null; isRunning(): boolean };
    w.paused = true;
    await eventually(async () => w.isRunning(), (r) => !r, 10_000, 50);
    w.paused = false;
    const task = await submitTask(t.http, client);
    const { ms } = await timed(() => eventually(() => announceState(dispatchQueue(), task.id, 1), (s) => s === 'completed', 10_000, 50));
    // At least one: a check that lands while the loop is stopped but still marked paused restarts
    // a loop that ends again at once, and the next check restarts it for good.
    expect(watchdog.restarts).toBeGreaterThan(before);
    report('worker watchdog', { restartedAndAnnouncedWithinMs: ms });
  });
});
