import { jobId, type TaskView } from '@handoff/contracts';
import { OutboxRelay } from '../src/events/outbox.relay.js';
import { JobsService } from '../src/dispatch/jobs.service.js';
import { PERIODIC_QUEUE, PeriodicProcessor } from '../src/scheduling/periodic.processor.js';
import { TimerSweep } from '../src/timers/timer-sweep.js';
import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { act, announceState, eventually, inHours, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

// Timers are delayed BullMQ jobs. Rather than waiting out a short window, which a loaded machine can
// overrun between two requests (a claim must be started within it), the windows are minutes long and
// a test checks when each job is due, then promotes it to run now: what it does is the same.
describe('timers: when each is due, and what it does when it fires', () => {
  let t: TestApp;
  let client: Session;
  let timers: Queue;
  const WINDOW_MS = 5 * 60_000;
  beforeAll(async () => {
    // Five minutes, inside the ten-minute horizon, so the relay queues them at the transition.
    t = await startTestApp({ CLAIM_WINDOW: '5m', REVIEW_WINDOW: '5m' });
    client = await registerClient(t.http);
    timers = t.app.get(JobsService).queue('timers');
  });
  afterAll(() => t.close());

  const get = (id: string, s: Session = client) => t.http.get<TaskView>(`/api/tasks/${id}`, { token: s.token }).then((r) => r.body);
  /** The delayed job the relay queued, once it has. */
  const queued = (id: string) => eventually(() => timers.getJob(id), (j) => j !== undefined).then((j) => j!);
  /** When a delayed job is due, as an instant. */
  const dueAt = (job: Job) => job.timestamp + (job.opts.delay ?? 0);
  /** Run it now, as if its time had come. */
  const fire = async (id: string) => (await queued(id)).promote();
  /** Done (completed jobs are kept an hour, so "gone" counts too). */
  const done = (id: string) => eventually(async () => (await timers.getJob(id))?.getState(), (s) => s === 'completed' || s === undefined || s === 'unknown');
  // The relay computes a due time from the row's timestamps; the job carries it as its add time plus a delay.
  // Within 30 s: far finer than the windows (minutes) and the half of a deadline it tells apart.
  const expectDue = (job: Job, at: string | number, windowMs = 0) =>
    expect(Math.abs(dueAt(job) - ((typeof at === 'number' ? at : Date.parse(at)) + windowMs))).toBeLessThan(30_000);

  it('claim expiry: due CLAIM_WINDOW after the claim; a claim not started by then goes back to the queue', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    const claimed = (await act(t.http, a, task.id, 'claim')).body;
    expectDue(await queued(jobId.claimExpiry(task.id, 2)), claimed.claimedAt!, WINDOW_MS);
    await fire(jobId.claimExpiry(task.id, 2));
    const back = await eventually(() => get(task.id), (x) => x.status === 'queued');
    expect(back.assigneeId).toBeNull();
    const detail = await t.http.get(`/api/tasks/${task.id}`, { token: client.token });
    expect(detail.body.events.at(-1)).toMatchObject({ action: 'expire', fromStatus: 'claimed', toStatus: 'queued', actorRole: 'system' });
  });

  it('claim expiry does nothing to a claim that was started in time', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    await act(t.http, a, task.id, 'claim');
    expect((await act(t.http, a, task.id, 'start')).status).toBe(200);
    await fire(jobId.claimExpiry(task.id, 2));
    await done(jobId.claimExpiry(task.id, 2));
    expect((await get(task.id)).status).toBe('in_progress');
  });

  it('auto-accept: due REVIEW_WINDOW after the return; returned work not reviewed by then is accepted', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    await act(t.http, a, task.id, 'claim');
    await act(t.http, a, task.id, 'start');
    const returned = (await act(t.http, a, task.id, 'return', { result: 'done' })).body;
    expect(returned.status).toBe('returned');
    expectDue(await queued(jobId.autoAccept(task.id, 4)), returned.returnedAt!, WINDOW_MS);
    await fire(jobId.autoAccept(task.id, 4));
    const accepted = await eventually(() => get(task.id), (x) => x.status === 'accepted');
    expect(accepted.acceptedAt).toEqual(expect.any(String));
  });

  it('deadline and escalation: an unclaimed task is escalated at half its time, then flagged overdue at its deadline', async () => {
    const task = await submitTask(t.http, client, { category: 'payroll', priority: 'normal', deadline: soon(8 * 60_000) });
    const createdAt = Date.parse(task.createdAt);
    expectDue(await queued(jobId.escalation(task.id, 1)), createdAt + (Date.parse(task.deadline) - createdAt) / 2);
    expectDue(await queued(jobId.deadline(task.id)), task.deadline);
    await fire(jobId.escalation(task.id, 1));
    const escalated = await eventually(() => get(task.id), (x) => x.escalated === true);
    expect(escalated).toMatchObject({ status: 'queued', priority: 'high', overdue: false });
    // The deadline job flags only a deadline that has passed: move it into the past, as its time coming would.
    await t.db.query(`UPDATE tasks SET deadline = now() - interval '1 second' WHERE id = $1`, [task.id]);
    await fire(jobId.deadline(task.id));
    const overdue = await eventually(() => get(task.id), (x) => x.version >= 3);
    expect(overdue.overdue).toBe(true);
    const events = (await t.http.get(`/api/tasks/${task.id}`, { token: client.token })).body.events.map((e: { action: string }) => e.action);
    expect(events).toEqual(['submit', 'escalate', 'overdue']);
    // A timer that fires again changes nothing.
    const jobs = t.app.get(JobsService);
    await jobs.add('timers.deadline', { taskId: task.id }, { jobId: `${jobId.deadline(task.id)}/again` });
    await jobs.add('timers.escalation', { taskId: task.id, version: 1 }, { jobId: `${jobId.escalation(task.id, 1)}/again` });
    await done(`${jobId.deadline(task.id)}/again`);
    await done(`${jobId.escalation(task.id, 1)}/again`);
    expect((await get(task.id)).version).toBe(overdue.version);
  });

  it('a stale claim-expiry job (an older version) leaves a later claim alone', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    await act(t.http, a, task.id, 'claim');
    await act(t.http, a, task.id, 'start');
    const jobs = t.app.get(JobsService);
    await jobs.add('timers.claim-expiry', { taskId: task.id, version: 2 }, { jobId: 'stale-expiry-test' });
    await done('stale-expiry-test');
    expect((await get(task.id)).status).toBe('in_progress');
  });
});

describe('nothing lost between the database and Redis', () => {
  it('relays, on the next start, what a process committed but died before relaying', async () => {
    const first = await startTestApp();
    const client = await registerClient(first.http);
    // Simulate the crash: the relay is gone the moment the commit lands.
    await first.app.get(OutboxRelay).onModuleDestroy();
    // Due within the timer horizon, so the relay (not the sweep) owes both timers.
    const task = await submitTask(first.http, client, { category: 'bookkeeping', deadline: soon(5 * 60_000) });
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

describe('timers due beyond the horizon, queued by the sweep from the database', () => {
  let t: TestApp;
  let client: Session;
  let sweep: TimerSweep;
  let timers: Queue;
  // Defaults for the windows (claim 15 min, review 72 h), both beyond a one-minute horizon.
  beforeAll(async () => {
    t = await startTestApp({ TIMER_HORIZON: '1m' });
    client = await registerClient(t.http);
    sweep = t.app.get(TimerSweep);
    timers = t.app.get(JobsService).queue('timers');
  });
  afterAll(() => t.close());

  const get = (id: string) => t.http.get<TaskView>(`/api/tasks/${id}`, { token: client.token }).then((r) => r.body);
  const actions = async (id: string) => (await t.http.get(`/api/tasks/${id}`, { token: client.token })).body.events.map((e: { action: string }) => e.action);
  // Instead of waiting hours, move a task's timestamps back: the sweep reads nothing else.
  const age = (id: string, set: string) => t.db.query(`UPDATE tasks SET ${set} WHERE id = $1`, [id]);
  const relayed = () => t.app.get(OutboxRelay).flush();

  it('queues no job for a deadline a day ahead, then both timers once the task comes within the horizon', async () => {
    const task = await submitTask(t.http, client, { category: 'payroll', priority: 'normal', deadline: inHours(24) });
    await relayed();
    // Announced as usual (read state by state, a job moving between them can be missed once).
    await eventually(() => announceState(t.app.get(JobsService).queue('dispatch'), task.id, 1), (s) => s === 'completed');
    await sweep.sweep();
    expect(await timers.getJob(jobId.deadline(task.id))).toBeUndefined();
    expect(await timers.getJob(jobId.escalation(task.id, 1))).toBeUndefined();

    await age(task.id, `created_at = now() - interval '2 hours', deadline = now() + interval '1500 milliseconds'`);
    expect(await sweep.sweep()).toBeGreaterThanOrEqual(2);
    const deadline = await timers.getJob(jobId.deadline(task.id));
    expect(deadline?.data).toEqual({ taskId: task.id });
    expect(await timers.getJob(jobId.escalation(task.id, 1))).toBeDefined();
    // A second sweep finds the same ids and adds nothing.
    const total = async () => Object.values(await timers.getJobCounts()).reduce((a, b) => a + b, 0);
    const before = await total();
    await sweep.sweep();
    expect(await total()).toBe(before);

    // The view shows a passed deadline as overdue at once; the flag's commit is version 3.
    const overdue = await eventually(() => get(task.id), (x) => x.version === 3);
    expect(overdue).toMatchObject({ status: 'queued', priority: 'high', escalated: true, overdue: true });
    expect(await actions(task.id)).toEqual(['submit', 'escalate', 'overdue']);
  });

  it('expires a claim at the version it has when the sweep runs, even after the claimed task was flagged overdue', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    expect((await act(t.http, a, task.id, 'claim')).status).toBe(200);
    await relayed();
    expect(await timers.getJob(jobId.claimExpiry(task.id, 2))).toBeUndefined();

    await age(task.id, `deadline = now() - interval '1 second'`);
    await sweep.sweep();
    const flagged = await eventually(() => get(task.id), (x) => x.version === 3);
    expect(flagged).toMatchObject({ status: 'claimed', overdue: true });

    // The claim ran out while it was flagged: the expiry names version 3, not the claim's 2.
    await age(task.id, `claimed_at = now() - interval '15 minutes'`);
    await sweep.sweep();
    expect(await timers.getJob(jobId.claimExpiry(task.id, 3))).toBeDefined();
    const back = await eventually(() => get(task.id), (x) => x.status === 'queued');
    expect(back.assigneeId).toBeNull();
    // Back in the queue past half its time, it is escalated too, a moment later.
    expect((await actions(task.id)).slice(0, 4)).toEqual(['submit', 'claim', 'overdue', 'expire']);
  });

  it('accepts returned work at the end of its review window, and queues nothing for finished work', async () => {
    const a = await registerAssistant(t.http, ['payroll']);
    const task = await submitTask(t.http, client, { category: 'payroll' });
    await act(t.http, a, task.id, 'claim');
    await act(t.http, a, task.id, 'start');
    expect((await act(t.http, a, task.id, 'return', { result: 'done' })).status).toBe(200);
    await relayed();
    expect(await timers.getJob(jobId.autoAccept(task.id, 4))).toBeUndefined();

    await age(task.id, `updated_at = now() - interval '72 hours'`);
    await sweep.sweep();
    const accepted = await eventually(() => get(task.id), (x) => x.status === 'accepted');
    expect(accepted.version).toBe(5);

    await age(task.id, `deadline = now() + interval '10 seconds'`);
    await sweep.sweep();
    expect(await timers.getJob(jobId.deadline(task.id))).toBeUndefined();
  });

  it('rebuilds the timers a Redis lost', async () => {
    const task = await submitTask(t.http, client, { category: 'payroll', deadline: soon(50_000) });
    await relayed();
    for (const id of [jobId.deadline(task.id), jobId.escalation(task.id, 1)]) await (await timers.getJob(id))!.remove();
    expect(await timers.getJob(jobId.deadline(task.id))).toBeUndefined();
    await sweep.sweep();
    const job = await timers.getJob(jobId.deadline(task.id));
    expect(await job?.getState()).toBe('delayed');
  });

  it('lets one process sweep per half horizon', async () => {
    // One job scheduler for all workers makes one sweep job every 30 s (half the 1 m horizon) and one worker takes each.
    const periodic = t.app.get<Queue>(getQueueToken(PERIODIC_QUEUE), { strict: false });
    const scheduler = await eventually(() => periodic.getJobScheduler('timers.sweep'), (s) => s !== undefined);
    expect(scheduler).toMatchObject({ key: 'timers.sweep', every: 30_000 });
    // Another process starting (or Redis coming back) registers it again: still one scheduler with one next run.
    await t.app.get(PeriodicProcessor).register();
    await t.app.get(PeriodicProcessor).register();
    expect((await periodic.getJobSchedulers(0, -1)).filter((s) => s.key === 'timers.sweep')).toHaveLength(1);
    const next = (await periodic.getJobs(['delayed', 'waiting'])).filter((j) => j.name === 'timers.sweep');
    expect(next.length).toBeLessThanOrEqual(1);
  });
});
