import type { TaskView } from '@handoff/contracts';
import { registerAssistant, registerClient, type Session } from '../support/factories.js';
import { act, eventually, submitTask, taskBody } from '../support/tasks.js';
import { allowConnections, cleanupPrefix, freshDatabase, report, sleep, spawnApp, terminateApiConnections, timed, uniquePrefix, type AppProcess } from './support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('fault: PostgreSQL connections lost', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let prefix: string;
  let api: AppProcess;
  let client: Session;
  let assistant: Session;

  beforeAll(async () => {
    database = await freshDatabase();
    prefix = uniquePrefix('postgres');
    api = await spawnApp({ DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: prefix, RECONCILE_INTERVAL: '1s', DEFAULT_MAX_CONCURRENT_TASKS: '50' });
    client = await registerClient(api.http);
    assistant = await registerAssistant(api.http, ['research']);
  });
  afterAll(async () => {
    // A crash is the finding: show what the process said on its way out.
    if (api?.exited() || process.env.FAULT_DEBUG) console.error(`the API ${api?.exited() ? 'exited' : 'said'}:\n${api?.output().slice(-6_000)}`);
    await allowConnections(database.name, true);
    await api?.kill('SIGTERM');
    await database?.drop();
    await cleanupPrefix(prefix);
  });

  it('answers 503 (never 500, never hangs) while connections die, stays up, recovers within 10 s, and keeps the ledger exact', async () => {
    const tasks: TaskView[] = [];
    for (let i = 0; i < 30; i++) {
      const task = await submitTask(api.http, client, { category: 'research' });
      await act(api.http, assistant, task.id, 'claim');
      await act(api.http, assistant, task.id, 'start');
      tasks.push(task);
    }
    const statuses: number[] = [];
    const slowest = { ms: 0 };
    const returnTask = async (t: TaskView) => {
      const { value, ms } = await timed(() => act(api.http, assistant, t.id, 'return', { result: 'done' }));
      statuses.push(value.status);
      slowest.ms = Math.max(slowest.ms, ms);
      return value.status;
    };

    // 1. Every connection of the API killed, three times, while returns (which write the ledger) are in flight.
    let terminated = 0;
    const firstHalf = tasks.slice(0, 15);
    const killing = (async () => {
      for (let i = 0; i < 3; i++) {
        terminated += await terminateApiConnections(database.name);
        await sleep(30);
      }
    })();
    const firstStatuses = await Promise.all(firstHalf.map(returnTask));
    await killing;

    // 2. An outage window: the database refuses new connections and the open ones are cut.
    await allowConnections(database.name, false);
    terminated += await terminateApiConnections(database.name);
    const outageStatuses: number[] = [];
    const outage: number[] = [];
    for (const t of tasks.slice(15, 20)) {
      const { value, ms } = await timed(() => act(api.http, assistant, t.id, 'return', { result: 'done' }));
      outageStatuses.push(value.status);
      outage.push(ms);
      expect(value.body).toMatchObject({ statusCode: 503, message: expect.stringContaining('database') });
    }
    const reads = await timed(() => api.http.get('/api/tasks', { token: client.token }));
    expect(reads.value.status).toBe(503);
    outage.push(reads.ms);
    expect((await api.http.get('/api/health')).body).toMatchObject({ postgres: 'down', redis: 'up' });
    await sleep(1_000);
    const reopenedAt = Date.now();
    await allowConnections(database.name, true);
    await eventually(() => api.http.get('/api/health'), (r) => r.status === 200, 10_000, 100);
    await eventually(() => api.http.get('/api/tasks', { token: client.token }), (r) => r.status === 200, 10_000, 100);
    const recoveredMs = Date.now() - reopenedAt;

    expect(api.exited()).toBe(false);
    expect(outageStatuses.every((s) => s === 503)).toBe(true);
    expect(Math.max(...outage)).toBeLessThan(2_000);
    expect(firstStatuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(recoveredMs).toBeLessThan(10_000);

    // A client retries what was refused; a return that committed before its answer was lost says 409.
    for (const t of tasks) {
      const res = await act(api.http, assistant, t.id, 'return', { result: 'done' });
      expect([200, 409]).toContain(res.status);
    }
    const { rows } = await database.db.query<{ task_id: string; charges: number; payouts: number; status: string }>(
      `SELECT t.id AS task_id, t.status,
              count(*) FILTER (WHERE l.kind = 'charge')::int AS charges,
              count(*) FILTER (WHERE l.kind = 'payout')::int AS payouts
         FROM tasks t LEFT JOIN ledger_entries l ON l.task_id = t.id GROUP BY t.id, t.status`,
    );
    expect(rows).toHaveLength(tasks.length);
    for (const r of rows) expect(r).toMatchObject({ status: 'returned', charges: 1, payouts: 1 });
    await eventually(async () => (await database.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n, (n) => n === 0, 10_000, 100);

    report('postgres connection loss', {
      backendsTerminated: terminated,
      returnsDuringTermination: firstStatuses.length,
      refusedWith503: statuses.filter((s) => s === 503).length + outageStatuses.length + 1,
      status500: [...statuses, ...outageStatuses].filter((s) => s >= 500 && s !== 503).length,
      slowestOutageAnswerMs: Math.max(...outage),
      slowestAnswerDuringTerminationMs: slowest.ms,
      recoveredAfterReopenMs: recoveredMs,
      chargesPerTask: 1,
    });
  });

  it('answers submissions committed together 201 or 503 while connections die, and every 201 is one task with one submit event', async () => {
    const titles = Array.from({ length: 120 }, (_, i) => `Under fire ${i}`);
    let terminated = 0;
    const killing = (async () => {
      for (let i = 0; i < 4; i++) {
        await sleep(15);
        terminated += await terminateApiConnections(database.name);
      }
    })();
    const answers = await Promise.all(titles.map((title) => api.http.post<TaskView>('/api/tasks', taskBody({ title, category: 'research' }), { token: client.token })));
    await killing;

    expect(api.exited()).toBe(false);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    const { rows } = await database.db.query<{ id: string; title: string; events: number }>(
      `SELECT t.id, t.title, (SELECT count(*)::int FROM task_events e WHERE e.task_id = t.id AND e.action = 'submit') AS events
         FROM tasks t WHERE t.title LIKE 'Under fire %'`,
    );
    const stored = new Map(rows.map((r) => [r.id, r]));
    for (const [i, a] of answers.entries()) {
      if (a.status !== 201) continue;
      expect(stored.get(a.body.id)).toMatchObject({ title: titles[i], events: 1 });
    }
    // A 503 may still have committed (the answer, not the work, was lost), never twice.
    expect(rows.every((r) => r.events === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.title)).size).toBe(rows.length);
    await eventually(async () => (await database.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n, (n) => n === 0, 10_000, 100);
    report('postgres connection loss under submissions', {
      submissions: titles.length,
      backendsTerminated: terminated,
      answered201: statuses.filter((s) => s === 201).length,
      answered503: statuses.filter((s) => s === 503).length,
      storedTasks: rows.length,
    });
  });
  it('answers idempotent submissions 201 or 503 with Retry-After while connections die, and retrying each key makes exactly one task', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => `fault-${i}`);
    // A retry repeats its request exactly, deadline included.
    const bodies = new Map(keys.map((key) => [key, taskBody({ title: `Keyed under fire ${key}`, category: 'research' })]));
    const submit = (key: string) => api.http.post<TaskView>('/api/tasks', bodies.get(key), { token: client.token, headers: { 'idempotency-key': key } });
    let terminated = 0;
    const killing = (async () => {
      for (let i = 0; i < 6; i++) {
        await sleep(15);
        terminated += await terminateApiConnections(database.name);
      }
    })();
    const answers = await Promise.all(keys.map(submit));
    await killing;

    expect(api.exited()).toBe(false);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    for (const a of answers.filter((x) => x.status === 503)) expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
    const retried = await Promise.all(keys.map((key) => eventually(() => submit(key), (r) => r.status === 201, 20_000, 100)));
    answers.forEach((a, i) => a.status === 201 && expect(retried[i]!.body.id).toBe(a.body.id));
    const { rows } = await database.db.query<{ title: string; n: number; events: number }>(
      `SELECT t.title, count(*)::int AS n, sum((SELECT count(*) FROM task_events e WHERE e.task_id = t.id AND e.action = 'submit'))::int AS events
         FROM tasks t WHERE t.title LIKE 'Keyed under fire %' GROUP BY t.title`,
    );
    expect(rows).toHaveLength(keys.length);
    expect(rows.filter((r) => r.n !== 1 || r.events !== 1)).toEqual([]);
    report('postgres connection loss under idempotent submissions', {
      submissions: keys.length,
      backendsTerminated: terminated,
      answered201: statuses.filter((s) => s === 201).length,
      answered503: statuses.filter((s) => s === 503).length,
      status500: statuses.filter((s) => s >= 500 && s !== 503).length,
      tasksAfterRetries: rows.length,
    });
  });
});
