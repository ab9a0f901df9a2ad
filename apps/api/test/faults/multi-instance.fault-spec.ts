import { createConnection, createServer, type Server, type Socket as NetSocket } from 'node:net';
import type { TaskView } from '@handoff/contracts';
import { Queue, type ConnectionOptions } from 'bullmq';
import { io, type Socket } from 'socket.io-client';
import { redisOptionsFromUrl } from '../../src/redis/redis.module.js';
import { registerAssistant, registerClient, type Session } from '../support/factories.js';
import { HttpClient } from '../support/http.js';
import { act, announceState, eventually, submitTask } from '../support/tasks.js';
import { cleanupPrefix, freePort, freshDatabase, report, spawnApp, uniquePrefix, type AppProcess } from './support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A TCP proxy that sends each new connection to the first backend that accepts it, as a load balancer would. */
async function failoverProxy(backends: () => number[]): Promise<{ port: number; close(): void }> {
  const open = new Set<NetSocket>();
  const server: Server = createServer((inbound) => {
    open.add(inbound);
    inbound.on('close', () => open.delete(inbound));
    inbound.on('error', () => inbound.destroy());
    const tryNext = (list: number[]) => {
      const [port, ...rest] = list;
      if (port === undefined) return inbound.destroy();
      const out = createConnection({ port, host: '127.0.0.1' });
      out.once('error', () => (out.destroy(), tryNext(rest)));
      out.once('connect', () => {
        out.removeAllListeners('error');
        out.on('error', () => inbound.destroy());
        out.on('close', () => inbound.destroy());
        inbound.on('close', () => out.destroy());
        inbound.pipe(out).pipe(inbound);
      });
    };
    tryNext(backends());
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { port, close: () => (server.close(), open.forEach((s) => s.destroy())) };
}

/** What a dashboard keeps: the highest version of each task; after a reconnect, a refetch over HTTP. */
class Dashboard {
  readonly tasks = new Map<string, { status: string; version: number }>();
  reconnects = 0;
  constructor(
    readonly socket: Socket,
    private readonly http: HttpClient,
    private readonly token: string,
  ) {
    socket.on('task.updated', ({ task }: { task: TaskView }) => this.apply(task));
    socket.io.on('reconnect', () => {
      this.reconnects++;
      void this.refetch();
    });
  }
  apply(t: TaskView): void {
    const have = this.tasks.get(t.id);
    if (!have || t.version > have.version) this.tasks.set(t.id, { status: t.status, version: t.version });
  }
  async refetch(): Promise<void> {
    const res = await this.http.get<{ items: TaskView[] }>('/api/tasks?limit=100', { token: this.token });
    if (res.status === 200) res.body.items.forEach((t) => this.apply(t));
  }
  static async open(proxyPort: number, session: Session): Promise<Dashboard> {
    const url = `http://127.0.0.1:${proxyPort}`;
    const socket = io(url, { auth: { token: session.token }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500, forceNew: true });
    await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
    const d = new Dashboard(socket, new HttpClient(url), session.token);
    await d.refetch();
    return d;
  }
}

describe('two API instances and two workers on one PostgreSQL and one Redis', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let prefix: string;
  let a: AppProcess;
  let b: AppProcess;
  let workers: AppProcess[];
  let dispatch: Queue;
  let client: Session;
  const assistants: Session[] = [];

  beforeAll(async () => {
    database = await freshDatabase();
    prefix = uniquePrefix('multi');
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      RECONCILE_INTERVAL: '1s',
      WORKER_LOCK_DURATION: '1s',
      WORKER_STALLED_INTERVAL: '500ms',
      DEFAULT_MAX_CONCURRENT_TASKS: '50',
    };
    [a, b, ...workers] = await Promise.all([spawnApp(env, { role: 'api' }), spawnApp(env, { role: 'api' }), spawnApp(env, { role: 'worker' }), spawnApp(env, { role: 'worker' })]);
    dispatch = new Queue('dispatch', { connection: redisOptionsFromUrl(REDIS_URL) as ConnectionOptions, prefix });
    client = await registerClient(a.http);
    for (let i = 0; i < 4; i++) assistants.push(await registerAssistant(b.http, ['it_support']));
  });
  afterAll(async () => {
    for (const p of [a, b, ...(workers ?? [])]) await p?.kill();
    await dispatch?.close();
    await database?.drop();
    await cleanupPrefix(prefix);
  });

  it('a dashboard on A sees, live, a claim made through B; a claim race split across A and B has one winner', async () => {
    const proxy = await failoverProxy(() => [Number(new URL(a.url).port)]);
    const dash = await Dashboard.open(proxy.port, client);
    try {
      const task = await submitTask(a.http, client, { category: 'it_support' });
      const claimedAt = Date.now();
      expect((await act(b.http, assistants[0]!, task.id, 'claim')).status).toBe(200);
      await eventually(async () => dash.tasks.get(task.id)?.status, (s) => s === 'claimed', 5_000, 20);
      const liveMs = Date.now() - claimedAt;

      const contested = await submitTask(a.http, client, { category: 'it_support' });
      const racers = [1, 2, 3].flatMap((i) => [a, b].map((inst) => act(inst.http, assistants[i]!, contested.id, 'claim')));
      const results = await Promise.all(racers);
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(5);
      const { rows } = await database.db.query(`SELECT count(*)::int AS n FROM task_events WHERE task_id = $1 AND action = 'claim'`, [contested.id]);
      expect(rows[0].n).toBe(1);
      report('multi-instance', { liveAcrossInstancesMs: liveMs, raceClaims: results.length, winners: 1 });
    } finally {
      dash.socket.close();
      proxy.close();
    }
  });

  it('killing one worker mid-run loses no job', async () => {
    const tasks: TaskView[] = [];
    const submitting = (async () => {
      for (let i = 0; i < 40; i++) tasks.push(await submitTask(a.http, client, { category: 'research' }));
    })();
    // Mid-run by what has happened, not by a pause a slow machine could outlast: a quarter submitted.
    await eventually(async () => tasks.length, (n) => n >= 10, 30_000, 10);
    await workers[0]!.kill('SIGKILL');
    await submitting;
    for (const t of tasks) {
      await eventually(() => announceState(dispatch, t.id, 1), (s) => s === 'completed', 15_000, 100);
    }
    const counts = await dispatch.getJobCounts('failed', 'waiting', 'active');
    expect(counts).toEqual({ failed: 0, waiting: 0, active: 0 });
    report('multi-instance worker kill', { announcedAfterOneWorkerKilled: tasks.length });
  });

  it('fault: API instance A dies under connected dashboards; they reconnect to B and, after a refetch, equal the database', async () => {
    const ports = [Number(new URL(a.url).port), Number(new URL(b.url).port)];
    const proxy = await failoverProxy(() => ports);
    const dashboards = await Promise.all([client, client, client].map((s) => Dashboard.open(proxy.port, s)));
    try {
      const tasks: TaskView[] = [];
      for (let i = 0; i < 6; i++) tasks.push(await submitTask(b.http, client, { category: 'it_support' }));
      const killedAt = Date.now();
      await a.kill('SIGKILL');
      // Changes made while the dashboards are away: they miss these events.
      for (const [i, t] of tasks.entries()) await act(b.http, assistants[1 + (i % 3)]!, t.id, 'claim');
      for (const t of tasks.slice(0, 3)) await act(b.http, client, t.id, 'cancel');
      await eventually(async () => dashboards.every((d) => d.reconnects >= 1), (ok) => ok, 10_000, 50);
      const reconnectedMs = Date.now() - killedAt;
      const { rows } = await database.db.query<{ id: string; status: string; version: number }>(`SELECT id, status, version FROM tasks WHERE organization_id = $1`, [client.user.organizationId]);
      const truth = Object.fromEntries(rows.map((r) => [r.id, { status: r.status, version: r.version }]));
      for (const d of dashboards) {
        await eventually(async () => Object.fromEntries(d.tasks), (seen) => JSON.stringify(sorted(seen)) === JSON.stringify(sorted(truth)), 5_000, 50);
      }
      report('api instance killed under dashboards', { dashboards: dashboards.length, reconnectedToSurvivorWithinMs: reconnectedMs, tasksCompared: rows.length });
    } finally {
      dashboards.forEach((d) => d.socket.close());
      proxy.close();
    }
  });
});

const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
