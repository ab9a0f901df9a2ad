import { jobId, type FailedJobsPage, type TaskView } from '@handoff/contracts';
import { JobsService } from '../src/dispatch/jobs.service.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Failed jobs made the way production makes them: a job's handler meets an
 * error from PostgreSQL (here a trigger refusing one task's updates) until its
 * attempts run out. The admin removes the cause and retries.
 */
describe('admin: failed jobs', () => {
  let t: TestApp;
  let admin: Session;
  let client: Session;
  let assistant: Session;

  beforeAll(async () => {
    t = await startTestApp({ CLAIM_WINDOW: '1h', TIMER_HORIZON: '10m' });
    admin = await loginAdmin(t.http, t.config);
    client = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['data_entry']);
  });
  afterAll(() => t?.close());

  const timers = () => t.app.get(JobsService).queue('timers');
  const failed = (limit?: number) => t.http.get<FailedJobsPage>(`/api/admin/queues/timers/failed${limit ? `?limit=${limit}` : ''}`, { token: admin.token });
  const taskStatus = (id: string) => t.http.get<TaskView>(`/api/tasks/${id}`, { token: client.token }).then((r) => r.body.status);

  /** A claimed task whose claim-expiry job fails for good: its one attempt hits a refusing trigger. */
  async function failedExpiry(): Promise<{ task: TaskView; id: string }> {
    const task = await submitTask(t.http, client);
    expect((await act(t.http, assistant, task.id, 'claim')).status).toBe(200);
    const fn = `refuse_${task.id.replaceAll('-', '')}`;
    await t.db.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'tasks row refused for the test'; END $$`);
    await t.db.query(`CREATE TRIGGER ${fn} BEFORE UPDATE ON tasks FOR EACH ROW WHEN (OLD.id = '${task.id}') EXECUTE FUNCTION ${fn}()`);
    // The job the claim window's end queues (past the horizon, so not yet queued), due now and with a
    // single attempt, so it fails at once.
    const id = jobId.claimExpiry(task.id, 2);
    await timers().add('timers.claim-expiry', { taskId: task.id, version: 2 }, { jobId: id, attempts: 1 });
    await eventually(async () => (await timers().getJob(id))?.getState(), (s) => s === 'failed');
    return { task, id };
  }
  const allowUpdates = (task: TaskView) => t.db.query(`DROP TRIGGER refuse_${task.id.replaceAll('-', '')} ON tasks`);

  it('lists a failed job with its reason and task, retries it once the cause is gone, and records who did', async () => {
    const { task, id } = await failedExpiry();
    const list = await failed();
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    expect(list.body.items).toEqual([
      { id, name: 'timers.claim-expiry', failedReason: expect.stringContaining('tasks row refused for the test'), attemptsMade: 1, failedAt: expect.any(String), taskIds: [task.id] },
    ]);
    expect(Date.now() - Date.parse(list.body.items[0]!.failedAt!)).toBeLessThan(60_000);
    expect(await taskStatus(task.id)).toBe('claimed');

    await allowUpdates(task);
    const retry = await t.http.post(`/api/admin/queues/timers/retry`, { jobIds: [id, 'claim-expiry/no-such-job/1'] }, { token: admin.token });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ retried: 1, skipped: ['claim-expiry/no-such-job/1'] });
    // The job runs again, with a fresh set of attempts, and does what it failed to do.
    expect(await eventually(() => taskStatus(task.id), (s) => s === 'queued')).toBe('queued');
    expect((await failed()).body).toEqual({ items: [], total: 0 });

    // Asking again finds nothing failed to retry: the same id is skipped, nothing runs twice.
    const again = await t.http.post(`/api/admin/queues/timers/retry`, { jobIds: [id] }, { token: admin.token });
    expect(again.body).toEqual({ retried: 0, skipped: [id] });
    const { rows: expiries } = await t.db.query(`SELECT count(*)::int AS n FROM task_events WHERE task_id = $1 AND action = 'expire'`, [task.id]);
    expect(expiries[0].n).toBe(1);

    const audit = await t.http.get(`/api/admin/audit?action=queue.retry`, { token: admin.token });
    expect(audit.body.items).toEqual([
      expect.objectContaining({ actorId: admin.user.id, actorRole: 'admin', action: 'queue.retry', targetType: 'queue', targetId: 'timers', details: { retried: 1, jobIds: [id] } }),
    ]);
  });

  it('without ids retries every failed job of the queue, and only of that queue', async () => {
    const a = await failedExpiry();
    const b = await failedExpiry();
    const list = await failed(1);
    expect(list.body.total).toBe(2);
    // Newest failure first.
    expect(list.body.items.map((j) => j.id)).toEqual([b.id]);

    expect((await t.http.post(`/api/admin/queues/dispatch/retry`, {}, { token: admin.token })).body).toEqual({ retried: 0, skipped: [] });
    expect((await failed()).body.total).toBe(2);

    await allowUpdates(a.task);
    await allowUpdates(b.task);
    const retry = await t.http.post(`/api/admin/queues/timers/retry`, {}, { token: admin.token });
    expect(retry.body).toEqual({ retried: 2, skipped: [] });
    for (const x of [a, b]) await eventually(() => taskStatus(x.task.id), (s) => s === 'queued');
  });

  it('answers only admins', async () => {
    for (const who of [client, assistant]) {
      expect((await t.http.get('/api/admin/queues/timers/failed', { token: who.token })).status).toBe(403);
      expect((await t.http.post('/api/admin/queues/timers/retry', {}, { token: who.token })).status).toBe(403);
    }
    expect((await t.http.get('/api/admin/queues/timers/failed')).status).toBe(401);
    expect((await t.http.post('/api/admin/queues/timers/retry', {})).status).toBe(401);
  });

  it.each([
    ['unknown queue', 'GET', '/api/admin/queues/emails/failed', undefined, /^queue must be one of dispatch, timers, mail, webhooks, imports$/],
    ['limit 0', 'GET', '/api/admin/queues/timers/failed?limit=0', undefined, /^limit must be at least 1$/],
    ['limit too high', 'GET', '/api/admin/queues/timers/failed?limit=201', undefined, /^limit must be at most 200$/],
    ['limit not a number', 'GET', '/api/admin/queues/timers/failed?limit=lots', undefined, /^limit must be a number$/],
    ['retry: unknown queue', 'POST', '/api/admin/queues/emails/retry', {}, /^queue must be one of/],
    ['retry: ids not a list', 'POST', '/api/admin/queues/timers/retry', { jobIds: 'all' }, /^jobIds must be a list of job ids$/],
    ['retry: empty list', 'POST', '/api/admin/queues/timers/retry', { jobIds: [] }, /^jobIds must name at least one job$/],
    ['retry: too many ids', 'POST', '/api/admin/queues/timers/retry', { jobIds: Array.from({ length: 501 }, (_, i) => `j${i}`) }, /^jobIds must name at most 500 jobs$/],
    ['retry: an empty id', 'POST', '/api/admin/queues/timers/retry', { jobIds: [''] }, /^jobIds\.0 must not be empty$/],
    ['retry: smuggled field', 'POST', '/api/admin/queues/timers/retry', { state: 'completed' }, /^state is not allowed$/],
  ] as const)('refuses %s with a 400 whose message starts with the field', async (_name, method, path, body, message) => {
    const res = method === 'GET' ? await t.http.get(path, { token: admin.token }) : await t.http.post(path, body, { token: admin.token });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });
});
