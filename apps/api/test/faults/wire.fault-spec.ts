import type { Category, TaskView } from '@handoff/contracts';
import { signInWithTwoFactor } from '../support/two-factor.js';
import { registerAssistant, registerClient, type Session } from '../support/factories.js';
import { LiveClient } from '../support/sockets.js';
import { eventually, taskBody } from '../support/tasks.js';
import { allowConnections, cleanupPrefix, freshDatabase, HAS_REDIS_SERVER, OwnRedis, report, sleep, spawnApp, terminateApiConnections, uniquePrefix, type AppProcess } from './support.js';

if (!HAS_REDIS_SERVER) console.warn('fault tests: no redis-server on PATH, so the exactly-once faults are skipped');

const ADMIN = { email: 'admin@handoff.local', password: 'handoff-admin-2026' };

/** An admin's socket that counts every `task.updated` it receives by (task, version), and notices if it is dropped. */
class Counter {
  readonly seen = new Map<string, number>();
  disconnects = 0;
  constructor(readonly live: LiveClient) {
    live.socket.on('task.updated', ({ task }: { task: TaskView }) => {
      const k = `${task.id}/${task.version}`;
      this.seen.set(k, (this.seen.get(k) ?? 0) + 1);
    });
    live.socket.on('disconnect', () => this.disconnects++);
  }
  has(taskId: string, version: number): boolean {
    return this.seen.has(`${taskId}/${version}`);
  }
  /** Every (task, version) of these tasks received more than once, with how often. */
  duplicates(taskIds: Set<string>): Record<string, number> {
    return Object.fromEntries([...this.seen].filter(([k, n]) => n > 1 && taskIds.has(k.split('/')[0]!)));
  }
}

/**
 * Submissions from several callers at once, to either instance, and an
 * assistant claiming some of them (so tasks move on to newer versions), until
 * told to stop. A refusal (503 during the outage) is waited out and tried again.
 */
function load(instances: AppProcess[], client: Session, assistant: Session, category: Category, callers: number) {
  let stopped = false;
  let accepted = 0;
  let refused = 0;
  const submitter = async (i: number) => {
    for (let n = 0; !stopped; n++) {
      const http = instances[(i + n) % instances.length]!.http;
      const res = await http.post<TaskView>('/api/tasks', taskBody({ title: `Wire ${i}/${n}`, category }), { token: client.token }).catch(() => null);
      if (res?.status === 201) accepted++;
      else {
        refused++;
        await sleep(100);
      }
    }
  };
  // Claims the next task, and gives every other one back (a newer version again, and one for its previous assignee).
  const claimer = async () => {
    for (let n = 0; !stopped; n++) {
      const http = instances[n % instances.length]!.http;
      const res = await http.post<TaskView>('/api/tasks/claim-next', undefined, { token: assistant.token }).catch(() => null);
      if (res?.status === 200 && n % 2 === 0) await http.post(`/api/tasks/${res.body.id}/release`, undefined, { token: assistant.token }).catch(() => null);
      await sleep(res?.status === 200 ? 20 : 100);
    }
  };
  const running = Promise.all([...Array.from({ length: callers }, (_, i) => submitter(i)), claimer()]);
  return {
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    async stop() {
      stopped = true;
      await running;
    },
  };
}

(HAS_REDIS_SERVER ? describe : describe.skip)('fault: exactly once on the wire', () => {
  let redis: OwnRedis;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let prefix: string;
  /** A runs everything (HTTP, relay, workers); B is a second API instance. */
  let a: AppProcess;
  let b: AppProcess;
  let admin: Session;
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    database = await freshDatabase();
    prefix = uniquePrefix('wire');
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      RECONCILE_INTERVAL: '1s',
      DEFAULT_MAX_CONCURRENT_TASKS: '50',
    };
    [a, b] = await Promise.all([spawnApp(env, { role: 'all' }), spawnApp(env, { role: 'api' })]);
    const login = await signInWithTwoFactor(a.http, database.url, ADMIN.email, ADMIN.password, { enrol: true });
    expect(login.status).toBe(200);
    admin = { token: login.body.accessToken, user: login.body.user };
  });
  afterAll(async () => {
    if (process.env.FAULT_DEBUG) for (const p of [a, b]) console.error(`an instance said:\n${p?.output().slice(-6_000)}`);
    sockets.forEach((s) => s.close());
    await allowConnections(database.name, true).catch(() => undefined);
    for (const p of [a, b]) await p?.kill('SIGTERM');
    await database?.drop();
    await cleanupPrefix(prefix, redis.url);
    await redis?.stop();
  });

  /** One admin socket on each instance: one beside the relay that takes most batches, one across Redis from it. */
  async function adminSockets(): Promise<Counter[]> {
    const opened = await Promise.all([a, b].map((p) => LiveClient.connect(p.url, admin.token)));
    sockets.push(...opened);
    return opened.map((s) => new Counter(s));
  }

  /**
   * Once the load has stopped and the outbox is empty: a last task through
   * the relay, and when both sockets have it, everything relayed before it has
   * been written to them (one stream, read in order). Then every task of the
   * run must have reached each socket at its current version, and no version
   * of any task more than once.
   */
  async function settleAndCount(counters: Counter[], client: Session, fault: string, figures: Record<string, unknown>) {
    await eventually(async () => (await database.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n, (n) => n === 0, 60_000, 100);
    const last = await a.http.post<TaskView>('/api/tasks', taskBody({ title: 'Last of the run', category: 'research' }), { token: client.token });
    expect(last.status).toBe(201);
    for (const c of counters) await eventually(async () => c.has(last.body.id, last.body.version), (ok) => ok, 60_000, 50);

    const { rows } = await database.db.query<{ id: string; version: number }>(`SELECT id, version FROM tasks WHERE organization_id = $1`, [client.user.organizationId]);
    const ids = new Set(rows.map((r) => r.id));
    const lost = counters.map((c) => rows.filter((r) => !c.has(r.id, r.version)).length);
    const duplicates = counters.map((c) => c.duplicates(ids));
    report(fault, {
      ...figures,
      tasks: rows.length,
      movedOn: rows.filter((r) => r.version > 1).length,
      lostBesideRelay: lost[0],
      lostAcrossRedis: lost[1],
      duplicatesBesideRelay: Object.keys(duplicates[0]!).length,
      duplicatesAcrossRedis: Object.keys(duplicates[1]!).length,
      mostCopies: Math.max(1, ...duplicates.flatMap((d) => Object.values(d))),
    });
    expect(counters.map((c) => c.disconnects)).toEqual([0, 0]);
    expect(duplicates).toEqual([{}, {}]);
    expect(lost).toEqual([0, 0]);
  }

  it('Redis stopped for 10 s under submit load: each admin socket gets each task version once, and every task at its current version', async () => {
    const client = await registerClient(a.http);
    const assistant = await registerAssistant(a.http, ['research']);
    const counters = await adminSockets();
    const running = load([a, b], client, assistant, 'research', 12);

    await eventually(async () => running.accepted, (n) => n >= 150, 60_000, 20);
    await redis.kill();
    const pendingAtKill = (await database.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n as number;
    await sleep(10_000);
    await redis.up();
    const acceptedBefore = running.accepted;
    // Load goes on until the instances take submissions again, and for a while after.
    await eventually(async () => running.accepted, (n) => n >= acceptedBefore + 150, 60_000, 20);
    await running.stop();

    await settleAndCount(counters, client, 'redis stopped for 10 s under load, exactly once', { pendingAtKill, accepted: running.accepted, refused: running.refused });
  });

  it('PostgreSQL connections cut under submit load, and refused for 2 s: each admin socket gets each task version once, and every task at its current version', async () => {
    const client = await registerClient(a.http);
    const assistant = await registerAssistant(a.http, ['data_entry']);
    const counters = await adminSockets();
    const running = load([a, b], client, assistant, 'data_entry', 12);

    await eventually(async () => running.accepted, (n) => n >= 150, 60_000, 20);
    let terminated = 0;
    // Cut every connection of both instances ten times while batches are in flight, then refuse new ones for 2 s.
    for (let i = 0; i < 10; i++) {
      const before = running.accepted;
      terminated += await terminateApiConnections(database.name);
      await eventually(async () => running.accepted, (n) => n >= before + 15, 60_000, 10);
    }
    await allowConnections(database.name, false);
    terminated += await terminateApiConnections(database.name);
    await sleep(2_000);
    await allowConnections(database.name, true);
    const acceptedBefore = running.accepted;
    await eventually(async () => running.accepted, (n) => n >= acceptedBefore + 150, 60_000, 20);
    await running.stop();

    await settleAndCount(counters, client, 'postgres connections cut under load, exactly once', { terminated, accepted: running.accepted, refused: running.refused });
  });
});

