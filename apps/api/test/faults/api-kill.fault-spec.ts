import { jobId, type TaskView } from '@handoff/contracts';
import { Queue, type ConnectionOptions } from 'bullmq';
import { redisOptionsFromUrl } from '../../src/redis/redis.module.js';
import { registerAssistant, registerClient, type Session } from '../support/factories.js';
import { act, announceStates, eventually, submitTask, taskBody } from '../support/tasks.js';
import { cleanupPrefix, freshDatabase, report, spawnApp, uniquePrefix, type AppProcess } from './support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('fault: the API is SIGKILLed right after its commits', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let prefix: string;
  let env: Record<string, string>;
  let queues: { dispatch: Queue; timers: Queue };
  const procs: AppProcess[] = [];

  beforeAll(async () => {
    database = await freshDatabase();
    prefix = uniquePrefix('api-kill');
    // No sweep during the test: only the start-up relay of the next process can deliver what the dead one left,
    // and every timer, however far ahead, is the relay's to queue.
    env = { DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: prefix, RECONCILE_INTERVAL: '1h', TIMER_HORIZON: '90d', DEFAULT_MAX_CONCURRENT_TASKS: '50' };
    const connection = redisOptionsFromUrl(REDIS_URL) as ConnectionOptions;
    queues = { dispatch: new Queue('dispatch', { connection, prefix }), timers: new Queue('timers', { connection, prefix }) };
  });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    await queues.dispatch.close();
    await queues.timers.close();
    await database?.drop();
    await cleanupPrefix(prefix);
  });

  // Only the api role: no worker consumes the jobs, so the test sees each one the relay scheduled.
  const start = async () => {
    const p = await spawnApp(env, { role: 'api' });
    procs.push(p);
    return p;
  };
  const outboxLeft = async () => (await database.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n as number;

  it('the next process relays every outbox row: each task announced and timed, each return timed and its billing sent', async () => {
    let api = await start();
    const client: Session = await registerClient(api.http);
    const assistant: Session = await registerAssistant(api.http, ['bookkeeping']);
    const working: TaskView[] = [];
    for (let i = 0; i < 10; i++) {
      const t = await submitTask(api.http, client, { category: 'bookkeeping' });
      await act(api.http, assistant, t.id, 'claim');
      await act(api.http, assistant, t.id, 'start');
      working.push(t);
    }

    // A burst of submits and returns; the process dies as soon as the first answers arrive,
    // so commits whose relay was under way (and requests still in flight) are cut off.
    let left = 0;
    let bursts = 0;
    for (; bursts < 3 && left === 0; bursts++) {
      let answered = 0;
      const killed = new Promise<void>((resolve) => {
        const burst = [
          ...(bursts === 0 ? working.map((t) => act(api.http, assistant, t.id, 'return', { result: 'done' })) : []),
          ...Array.from({ length: 40 }, () => api.http.post('/api/tasks', taskBody({ category: 'bookkeeping' }), { token: client.token })),
        ];
        for (const req of burst) {
          req.then(
            () => {
              if (++answered === 15) void api.kill('SIGKILL').then(() => resolve());
            },
            () => undefined,
          );
        }
      });
      await killed;
      left = await outboxLeft();
      api = await start();
    }
    expect(left).toBeGreaterThan(0);
    const restartedAt = Date.now();
    await eventually(outboxLeft, (n) => n === 0, 15_000, 100);
    const relayedMs = Date.now() - restartedAt;

    // What the database says happened is what Redis was told.
    const { rows: tasks } = await database.db.query<{ id: string; status: string; version: number }>(`SELECT id, status, version FROM tasks`);
    const { rows: returnedEvents } = await database.db.query<{ task_id: string; version: number }>(
      `SELECT t.id AS task_id, t.version FROM tasks t WHERE t.status = 'returned'`,
    );
    let checked = 0;
    const announced = await announceStates(queues.dispatch);
    for (const t of tasks) {
      expect(await queues.timers.getJob(jobId.deadline(t.id))).toBeDefined();
      if (t.status === 'queued') {
        expect(announced.get(`${t.id}/1`)).toBeDefined();
        expect(await queues.timers.getJob(jobId.escalation(t.id, 1))).toBeDefined();
      }
      checked++;
    }
    for (const r of returnedEvents) expect(await queues.timers.getJob(jobId.autoAccept(r.task_id, r.version))).toBeDefined();
    const { rows: ledger } = await database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'charge'`);
    expect(ledger[0]!.n).toBe(returnedEvents.length);

    report('api killed after commit', {
      bursts,
      outboxRowsLeftByTheDeadProcess: left,
      relayedByTheNextProcessWithinMs: relayedMs,
      tasksChecked: checked,
      returnsTimed: returnedEvents.length,
    });
  });
});
