import { TASK_STATUSES, type TaskView } from '@handoff/contracts';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { act, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Queue health's tasks per status come from counters the task triggers keep
 * (sharded rows, summed on read). They must equal a count of the rows after
 * any mix of concurrent submits, claims and moves, through the API (group
 * commit, claim-next batches) and through several connections at once.
 */
describe('queue health: task counts per status stay exact', () => {
  let t: TestApp;
  let admin: Session;
  let clients: Session[];
  let assistants: Session[];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    clients = await Promise.all([0, 1].map(() => registerClient(t.http)));
    assistants = await Promise.all([0, 1, 2, 3].map(() => registerAssistant(t.http, ['data_entry'])));
  });
  afterAll(() => t?.close());

  async function expectExact(): Promise<void> {
    const { rows } = await t.db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM tasks GROUP BY status`);
    const counted = Object.fromEntries(TASK_STATUSES.map((s) => [s, rows.find((r) => r.status === s)?.n ?? 0]));
    const res = await t.http.get<{ tasks: Record<string, number> }>('/api/admin/queues', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.tasks).toEqual(counted);
  }

  it('counts concurrent submits, claim-next batches, starts, returns, accepts and cancels exactly', async () => {
    const submitted = (await Promise.all(Array.from({ length: 60 }, (_, i) => submitTask(t.http, clients[i % 2]!)))) as TaskView[];
    await expectExact();

    // Every assistant drains the queue at once: claim-next commits several claims per statement.
    const claimed = await Promise.all(
      assistants.map(async (a) => {
        const mine: string[] = [];
        for (let i = 0; i < 8; i++) {
          const res = await t.http.post<TaskView>('/api/tasks/claim-next', undefined, { token: a.token });
          if (res.status !== 200) break;
          mine.push(res.body.id);
        }
        return { a, mine };
      }),
    );
    await expectExact();

    // Concurrent moves of every claimed task, and cancels of queued ones racing claims for them.
    const queued = submitted.filter((s) => !claimed.some((c) => c.mine.includes(s.id)));
    await Promise.all([
      ...claimed.flatMap(({ a, mine }) =>
        mine.map(async (id, i) => {
          expect((await act(t.http, a, id, 'start')).status).toBe(200);
          if (i % 3 === 0) return;
          expect((await act(t.http, a, id, 'return', { result: 'done' })).status).toBe(200);
          const owner = clients.find((c) => c.user.organizationId === submitted.find((s) => s.id === id)!.organizationId)!;
          if (i % 3 === 1) expect((await act(t.http, owner, id, 'accept')).status).toBe(200);
        }),
      ),
      ...queued.slice(0, 10).map(async (task) => {
        const owner = clients.find((c) => c.user.organizationId === task.organizationId)!;
        expect([200, 409]).toContain((await act(t.http, owner, task.id, 'cancel')).status);
      }),
      ...queued.slice(0, 10).map(async (_task, i) => {
        expect([200, 204, 422]).toContain((await t.http.post('/api/tasks/claim-next', undefined, { token: assistants[i % 4]!.token })).status);
      }),
    ]);
    await expectExact();
  }, 120_000);

  it('counts writers on many connections at once, in one statement or many, committed or rolled back', async () => {
    const client = clients[0]!;
    const insert = (n: number) =>
      `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency)
       SELECT '${client.user.organizationId}', '${client.user.id}', 'bulk', 'bulk', 'data_entry', 'normal', now() + interval '1 day', 100, 'USD'
         FROM generate_series(1, ${n})`;
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const c = await t.db.connect();
        try {
          for (let i = 0; i < 10; i++) {
            await c.query('BEGIN');
            await c.query(insert(5));
            await c.query(
              `UPDATE tasks SET status = 'cancelled', cancelled_at = now()
                WHERE id IN (SELECT id FROM tasks WHERE status = 'queued' AND title = 'bulk' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED)`,
            );
            // Every third transaction is rolled back: its counts go with it.
            await c.query((w + i) % 3 === 0 ? 'ROLLBACK' : 'COMMIT');
          }
        } finally {
          c.release();
        }
      }),
    );
    await expectExact();
    await t.db.query(`DELETE FROM tasks WHERE title = 'bulk' AND status = 'cancelled' AND id IN (SELECT id FROM tasks WHERE title = 'bulk' LIMIT 7)`);
    await expectExact();
  }, 120_000);
});
