import { jobId, type TaskView } from '@handoff/contracts';
import { OutboxRelay } from '../src/dispatch/outbox.relay.js';
import { JobsService } from '../src/dispatch/jobs.service.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { act, announceState, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('timers, with short windows from configuration', () => {
  let t: TestApp;
  let client: Session;
  beforeAll(async () => {
    t = await startTestApp({ CLAIM_WINDOW: '400ms', REVIEW_WINDOW: '400ms' });
    client = await registerClient(t.http);
  });
  afterAll(() => t.close());

  const get = (id: string, s: Session = client) => t.http.get<TaskView>(`/api/tasks/${id}`, { token: s.token }).then((r) => r.body);

  it('claim expiry: a claim not started within the window goes back to the queue', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    await act(t.http, a, task.id, 'claim');
    const back = await eventually(() => get(task.id), (x) => x.status === 'queued');
    expect(back.assigneeId).toBeNull();
    const detail = await t.http.get(`/api/tasks/${task.id}`, { token: client.token });
    expect(detail.body.events.at(-1)).toMatchObject({ action: 'expire', fromStatus: 'claimed', toStatus: 'queued', actorRole: 'system' });
  });

  it('claim expiry does nothing to a claim that was started in time', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    await act(t.http, a, task.id, 'claim');
    await act(t.http, a, task.id, 'start');
    const jobs = t.app.get(JobsService);
    const job = await jobs.queue('timers').getJob(jobId.claimExpiry(task.id, 2));
    await eventually(async () => (job ? await job.getState() : 'completed'), (s) => s === 'completed' || s === 'unknown');
    expect((await get(task.id)).status).toBe('in_progress');
  });

  it('auto-accept: returned work not reviewed within the window is accepted', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    await act(t.http, a, task.id, 'claim');
    await act(t.http, a, task.id, 'start');
    await act(t.http, a, task.id, 'return', { result: 'done' });
    const accepted = await eventually(() => get(task.id), (x) => x.status === 'accepted');
    expect(accepted.acceptedAt).toEqual(expect.any(String));
  });

  it('deadline and escalation: an unclaimed task is escalated at half its time, then flagged overdue', async () => {
    const task = await submitTask(t.http, client, { category: 'payroll', priority: 'normal', deadline: soon(1_600) });
    const escalated = await eventually(() => get(task.id), (x) => x.escalated === true);
    expect(escalated).toMatchObject({ status: 'queued', priority: 'high', overdue: false });
    const overdue = await eventually(() => get(task.id), (x) => x.version >= 3);
    expect(overdue.overdue).toBe(true);
    const events = (await t.http.get(`/api/tasks/${task.id}`, { token: client.token })).body.events.map((e: { action: string }) => e.action);
    expect(events).toEqual(['submit', 'escalate', 'overdue']);
    // A timer that fires again changes nothing.
    const tasks = t.app.get(JobsService);
    await tasks.add('timers.deadline', { taskId: task.id }, { jobId: `${jobId.deadline(task.id)}/again` });
    await tasks.add('timers.escalation', { taskId: task.id, version: 1 }, { jobId: `${jobId.escalation(task.id, 1)}/again` });
    await new Promise((r) => setTimeout(r, 500));
    expect((await get(task.id)).version).toBe(overdue.version);
  });

  it('a stale claim-expiry job (an older version) leaves a later claim alone', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    await act(t.http, a, task.id, 'claim');
    await act(t.http, a, task.id, 'start');
    const jobs = t.app.get(JobsService);
    await jobs.add('timers.claim-expiry', { taskId: task.id, version: 2 }, { jobId: 'stale-expiry-test' });
    await new Promise((r) => setTimeout(r, 500));
    expect((await get(task.id)).status).toBe('in_progress');
  });
});

describe('nothing lost between the database and Redis', () => {
  it('relays, on the next start, what a process committed but died before relaying', async () => {
    const first = await startTestApp();
    const client = await registerClient(first.http);
    // Simulate the crash: the relay is gone the moment the commit lands.
    await first.app.get(OutboxRelay).onModuleDestroy();
    const task = await submitTask(first.http, client, { category: 'bookkeeping' });
    const pending = await first.db.query(`SELECT payload FROM outbox`);
    expect(pending.rows.map((r: { payload: { taskId: string } }) => r.payload.taskId)).toContain(task.id);
    const timers = first.app.get(JobsService).queue('timers');
    expect(await timers.getJob(jobId.deadline(task.id))).toBeUndefined();

    const second = await startTestApp({}, { shareWith: first });
    try {
      const jobs = second.app.get(JobsService);
      const deadline = await eventually(() => jobs.queue('timers').getJob(jobId.deadline(task.id)), (j) => !!j);
      expect(deadline!.data).toEqual({ taskId: task.id });
      expect(await jobs.queue('timers').getJob(jobId.escalation(task.id, 1))).toBeDefined();
      await eventually(() => announceState(jobs.queue('dispatch'), task.id, 1), (s) => s === 'completed' || s === 'missing');
      expect((await second.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n).toBe(0);
      const admin = await loginAdmin(second.http, second.config);
      const queues = await second.http.get('/api/admin/queues', { token: admin.token });
      expect(queues.body.outboxPending).toBe(0);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
