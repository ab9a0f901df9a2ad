import type { ErrorBody, ScheduleRunView, ScheduleView } from '@handoff/contracts';
import type { AuthUser } from '../src/common/auth/auth-user.js';
import { SchedulesService } from '../src/schedules/schedules.service.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import type { Res } from './support/http.js';
import { LiveClient } from './support/sockets.js';
import { eventually } from './support/tasks.js';
import { startTestApp, startTestWorker, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';
// The periodic pass would run these schedules on the real clock; the tests drive time themselves.
const QUIET = { SCHEDULE_INTERVAL: '1h' };

type ScheduleOrError = ScheduleView & Partial<ErrorBody>;

const templateBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Nightly reconciliation',
  category: 'bookkeeping',
  instructions: 'Reconcile the day.',
  deadlineRule: { kind: 'business_hours', hours: 4 },
  ...overrides,
});

const asUser = (s: Session): AuthUser => ({
  id: s.user.id,
  email: s.user.email,
  name: s.user.name,
  role: 'client',
  organizationId: s.user.organizationId!,
  orgRole: 'owner',
  skills: [],
  maxConcurrentTasks: 3,
});

describe('schedules: recurring runs of a template', () => {
  let t: TestApp;
  let admin: Session;
  let a: Session;
  let b: Session;
  let assistant: Session;
  let templateId: string;
  let service: SchedulesService;

  const ok = <T>(res: Res<T>, status = 200): T => {
    expect({ status: res.status, body: res.status === status ? 'ok' : res.body }).toEqual({ status, body: 'ok' });
    return res.body;
  };
  const create = (s: Session, body: unknown) => t.http.post<ScheduleOrError>('/api/schedules', body, { token: s.token });
  const daily = (time = '09:00', start = new Date().toISOString()) => ({ kind: 'daily', time, start });
  /** Runs of a schedule, oldest first, straight from the table. */
  const runsOf = async (id: string) =>
    (
      await t.db.query<{ scheduled_at: Date; outcome: string; task_id: string | null; missed: number; reason: string | null }>(
        `SELECT scheduled_at, outcome, task_id, missed, reason FROM schedule_runs WHERE schedule_id = $1 ORDER BY scheduled_at`,
        [id],
      )
    ).rows;
  const tasksOf = async (id: string) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks t JOIN schedule_runs r ON r.task_id = t.id WHERE r.schedule_id = $1`, [id])).rows[0]!.n;

  beforeAll(async () => {
    t = await startTestApp(QUIET);
    service = t.app.get(SchedulesService);
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['bookkeeping']);
    ok(await t.http.patch(`/api/organizations/${a.user.organizationId}/settings`, { timeZone: 'Europe/Berlin' }, { token: a.token }));
    templateId = ok(await t.http.post<{ id: string }>('/api/templates', templateBody(), { token: a.token }), 201).id;
  });
  afterAll(() => t.close());
  // Every pass runs every due schedule; each test starts with none but its own.
  afterEach(() => t.db.query(`DELETE FROM schedules`));

  describe('the routes', () => {
    it('creates, reads, lists, edits and deletes a schedule, with its next runs in the organization’s time', async () => {
      const made = ok(await create(a, { templateId, rule: daily('09:00') }), 201);
      expect(made).toMatchObject({ templateId, versionId: null, name: 'Nightly reconciliation', state: 'active', paused: null, skipAt: null, timeZone: 'Europe/Berlin' });
      expect(made.nextRuns).toHaveLength(5);
      for (const r of made.nextRuns) expect(r.local).toMatch(/T09:00$/);
      expect(made.nextRunAt).toBe(made.nextRuns[0]!.at);
      expect(Date.parse(made.nextRunAt!)).toBeGreaterThan(Date.now());

      expect(ok(await t.http.get<ScheduleView>(`/api/schedules/${made.id}`, { token: a.token })).id).toBe(made.id);
      expect(ok(await t.http.get<ScheduleView>(`/api/schedules/${made.id}`, { token: admin.token })).id).toBe(made.id);
      const listed = ok(await t.http.get<{ items: ScheduleView[] }>('/api/schedules', { token: a.token }));
      expect(listed.items.map((s) => s.id)).toEqual([made.id]);
      expect(ok(await t.http.get<{ items: ScheduleView[] }>('/api/schedules', { token: b.token })).items).toEqual([]);
      expect(ok(await t.http.get<{ items: ScheduleView[] }>('/api/schedules?state=paused', { token: a.token })).items).toEqual([]);

      const weekly = ok(await t.http.patch<ScheduleView>(`/api/schedules/${made.id}`, { name: 'Weekly', rule: { kind: 'weekly', days: ['mon', 'thu'], time: '17:30', start: new Date().toISOString() } }, { token: a.token }));
      expect(weekly.name).toBe('Weekly');
      expect(new Set(weekly.nextRuns.map((r) => new Date(r.at).toLocaleDateString('en-US', { weekday: 'short', timeZone: 'Europe/Berlin' })))).toEqual(new Set(['Mon', 'Thu']));
      for (const r of weekly.nextRuns) expect(r.local).toMatch(/T17:30$/);

      expect((await t.http.request('DELETE', `/api/schedules/${made.id}`, undefined, { token: a.token })).status).toBe(204);
      expect((await t.http.get(`/api/schedules/${made.id}`, { token: a.token })).status).toBe(404);
    });

    it('pauses, resumes and skips the next run', async () => {
      const made = ok(await create(a, { templateId, rule: daily('08:15') }), 201);
      const paused = ok(await t.http.post<ScheduleView>(`/api/schedules/${made.id}/pause`, {}, { token: a.token }));
      expect(paused).toMatchObject({ state: 'paused', paused: { reason: 'paused by its owner' } });
      expect((await t.http.post(`/api/schedules/${made.id}/pause`, {}, { token: a.token })).status).toBe(409);
      expect((await t.http.post(`/api/schedules/${made.id}/skip`, undefined, { token: a.token })).status).toBe(409);
      const resumed = ok(await t.http.post<ScheduleView>(`/api/schedules/${made.id}/resume`, undefined, { token: a.token }));
      expect(resumed).toMatchObject({ state: 'active', paused: null });
      expect((await t.http.post(`/api/schedules/${made.id}/resume`, undefined, { token: a.token })).status).toBe(409);
      const skipped = ok(await t.http.post<ScheduleView>(`/api/schedules/${made.id}/skip`, undefined, { token: a.token }));
      expect(skipped.skipAt).toBe(skipped.nextRunAt);
      expect(skipped.nextRuns.map((r) => r.skipped)).toEqual([true, false, false, false, false]);

      // The skipped run is recorded and creates nothing; the one after runs.
      const first = new Date(skipped.nextRuns[0]!.at);
      const second = new Date(skipped.nextRuns[1]!.at);
      expect(await service.runDue(first)).toMatchObject({ skipped: 1, created: 0 });
      expect(await service.runDue(second)).toMatchObject({ created: 1 });
      const runs = ok(await t.http.get<{ items: ScheduleRunView[] }>(`/api/schedules/${made.id}/runs`, { token: a.token }));
      expect(runs.items.map((r) => [r.scheduledAt, r.outcome, r.taskStatus])).toEqual([
        [second.toISOString(), 'created', 'queued'],
        [first.toISOString(), 'skipped', null],
      ]);
      const page = ok(await t.http.get<{ items: ScheduleRunView[]; nextCursor: string | null }>(`/api/schedules/${made.id}/runs?limit=1`, { token: a.token }));
      const rest = ok(await t.http.get<{ items: ScheduleRunView[] }>(`/api/schedules/${made.id}/runs?limit=1&cursor=${page.nextCursor}`, { token: a.token }));
      expect([...page.items, ...rest.items].map((r) => r.id)).toEqual(runs.items.map((r) => r.id));
      // The task is a task like any other: the organization sees it, made from the template.
      const task = ok(await t.http.get<{ templateId: string | null; createdBy: string }>(`/api/tasks/${runs.items[0]!.taskId}`, { token: a.token }));
      expect(task).toMatchObject({ createdBy: a.user.id });
    });

    it('honors an Idempotency-Key: concurrent retries with one key create one schedule', async () => {
      const body = { templateId, rule: daily('07:45') };
      const headers = { 'idempotency-key': `sched-${Date.now()}` };
      const answers = await Promise.all([1, 2, 3].map(() => t.http.post<ScheduleView>('/api/schedules', body, { token: a.token, headers })));
      expect(answers.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
      const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM schedules WHERE organization_id = $1`, [a.user.organizationId]);
      expect(rows[0]!.n).toBe(1);
      expect((await t.http.post('/api/schedules', { ...body, name: 'Other' }, { token: a.token, headers })).status).toBe(422);
    });

    it('requires a template’s required inputs at creation, naming the input', async () => {
      const withInputs = ok(
        await t.http.post<{ id: string }>('/api/templates', templateBody({ name: 'With inputs', inputs: [{ key: 'folder', label: 'Folder', type: 'text', required: true }] }), { token: a.token }),
        201,
      );
      const missing = await create(a, { templateId: withInputs.id, rule: daily() });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('inputs.folder');
      const fixed = ok(await create(a, { templateId: withInputs.id, rule: daily(), inputs: { folder: 'https://drive.example/x' } }), 201);
      expect(fixed.inputs).toEqual({ folder: 'https://drive.example/x' });
    });

    it('leaves a date input for the run: each run’s task carries that run’s date in the organization’s zone', async () => {
      const monthEnd = ok(
        await t.http.post<{ id: string }>(
          '/api/templates',
          templateBody({
            name: 'Month-end close',
            inputs: [
              { key: 'period_end', label: 'Month ending', type: 'date', required: true },
              { key: 'ledger', label: 'Accounting system', type: 'choice', required: true, options: ['Xero', 'Other'] },
            ],
          }),
          { token: a.token },
        ),
        201,
      );
      // The choice is still required; the date is not.
      expect((await create(a, { templateId: monthEnd.id, rule: daily('17:00') })).body.message).toContain('inputs.ledger');
      const made = ok(await create(a, { templateId: monthEnd.id, rule: daily('17:00'), inputs: { ledger: 'Xero' } }), 201);
      const [first, second] = made.nextRuns.map((r) => new Date(r.at));
      await service.runDue(first!);
      await service.runDue(second!);
      const { rows } = await t.db.query<{ inputs: Record<string, unknown> }>(
        `SELECT t.inputs FROM tasks t JOIN schedule_runs r ON r.task_id = t.id WHERE r.schedule_id = $1 ORDER BY r.scheduled_at`,
        [made.id],
      );
      const dayIn = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: made.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
      expect(rows.map((r) => r.inputs)).toEqual([
        { ledger: 'Xero', period_end: dayIn(first!) },
        { ledger: 'Xero', period_end: dayIn(second!) },
      ]);
    });

    it('answers 404 for another organization’s schedule or template, 403 to assistants and to admins writing', async () => {
      const made = ok(await create(a, { templateId, rule: daily() }), 201);
      for (const [method, path] of [
        ['get', `/api/schedules/${made.id}`],
        ['patch', `/api/schedules/${made.id}`],
        ['delete', `/api/schedules/${made.id}`],
        ['post', `/api/schedules/${made.id}/pause`],
        ['post', `/api/schedules/${made.id}/resume`],
        ['post', `/api/schedules/${made.id}/skip`],
        ['get', `/api/schedules/${made.id}/runs`],
      ] as const) {
        const body = method === 'patch' ? { name: 'B' } : method === 'post' ? {} : undefined;
        const res = await t.http.request(method.toUpperCase(), path, body, { token: b.token });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
        const byAssistant = await t.http.request(method.toUpperCase(), path, body, { token: assistant.token });
        expect({ method, path, status: byAssistant.status }).toEqual({ method, path, status: 403 });
      }
      expect((await create(b, { templateId, rule: daily() })).status).toBe(404);
      expect((await create(assistant, { templateId, rule: daily() })).status).toBe(403);
      expect((await create(admin, { templateId, rule: daily() })).status).toBe(403);
      expect((await t.http.post(`/api/schedules/${made.id}/pause`, {}, { token: admin.token })).status).toBe(403);
      expect((await t.http.get('/api/schedules', { token: assistant.token })).status).toBe(403);
      expect((await create(a, { templateId: NO_ID, rule: daily() })).status).toBe(404);
      expect((await create(a, { templateId, versionId: NO_ID, rule: daily() })).status).toBe(404);
    });

    it.each([
      ['no body', undefined, 'body'],
      ['an empty body', {}, 'templateId'],
      ['a templateId that is not a UUID', { templateId: 'x', rule: { kind: 'daily', time: '09:00', start: '2026-01-01T00:00:00Z' } }, 'templateId'],
      ['no rule', { templateId: NO_ID }, 'rule'],
      ['an unknown kind', { templateId: NO_ID, rule: { kind: 'hourly', start: '2026-01-01T00:00:00Z' } }, 'rule'],
      ['a bad time', { templateId: NO_ID, rule: { kind: 'daily', time: '25:00', start: '2026-01-01T00:00:00Z' } }, 'rule.time'],
      ['no days', { templateId: NO_ID, rule: { kind: 'weekly', days: [], time: '09:00', start: '2026-01-01T00:00:00Z' } }, 'rule.days'],
      ['a day of month out of range', { templateId: NO_ID, rule: { kind: 'monthly_day', day: 32, time: '09:00', start: '2026-01-01T00:00:00Z' } }, 'rule.day'],
      ['a bad cron', { templateId: NO_ID, rule: { kind: 'cron', expression: '61 * * * *', start: '2026-01-01T00:00:00Z' } }, 'rule.expression'],
      ['an end before the start', { templateId: NO_ID, rule: { kind: 'daily', time: '09:00', start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' } }, 'rule.end'],
      ['inputs that are not an object', { templateId: NO_ID, rule: { kind: 'daily', time: '09:00', start: '2026-01-01T00:00:00Z' }, inputs: [1] }, 'inputs'],
      ['an unknown field', { templateId: NO_ID, rule: { kind: 'daily', time: '09:00', start: '2026-01-01T00:00:00Z' }, owner: 'x' }, 'owner'],
    ])('answers 400 to %s, naming the field', async (_, body, field) => {
      const res = await create(a, body);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field);
    });

    it.each([
      ['an empty change', {}, 'must change'],
      ['a bad priority', { priority: 'asap' }, 'priority'],
      ['a name too long', { name: 'x'.repeat(201) }, 'name'],
    ])('answers 400 to an edit with %s', async (_, body, words) => {
      const made = ok(await create(a, { templateId, rule: daily() }), 201);
      const res = await t.http.patch<ErrorBody>(`/api/schedules/${made.id}`, body, { token: a.token });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(words);
      expect((await t.http.get(`/api/schedules/not-a-uuid`, { token: a.token })).status).toBe(400);
      expect((await t.http.get(`/api/schedules?state=gone`, { token: a.token })).status).toBe(400);
    });
  });

  describe('runs, driven by the clock the periodic pass hands in', () => {
    /** A schedule made as A at `now` (a past instant: the tests walk through 2026's clock changes). */
    const scheduleAt = (now: string, rule: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      service.create(asUser(a), { templateId, rule: rule as never, ...extra }, new Date(now));
    /** Every pass from `from` to `to`, `everyMin` apart. */
    const walk = async (from: string, to: string, everyMin: number) => {
      for (let at = Date.parse(from); at <= Date.parse(to); at += everyMin * 60_000) await service.runDue(new Date(at));
    };

    it('creates each run exactly once with two worker instances on one Redis prefix, and again after a restart', async () => {
      const worker = await startTestWorker(t, QUIET);
      try {
        const other = worker.ctx.get(SchedulesService, { strict: false });
        const made = await Promise.all(Array.from({ length: 8 }, (_, i) => scheduleAt('2026-05-01T00:00:00Z', { kind: 'daily', time: `0${i}:30`.slice(-5), start: '2026-05-01T00:00:00Z' })));
        // Both instances pass over the same due schedules at once, several times.
        const now = new Date('2026-05-02T00:00:00Z');
        const outcomes = await Promise.all([1, 2, 3].flatMap(() => [service.runDue(now), other.runDue(now)]));
        expect(outcomes.reduce((n, o) => n + o.created, 0)).toBe(8);
        for (const s of made) {
          expect(await tasksOf(s.id)).toBe(1);
          expect((await runsOf(s.id)).map((r) => r.outcome)).toEqual(['created']);
        }
      } finally {
        await worker.close();
      }
      // A restart: a new instance on the same database passes over the same instant and creates nothing more.
      const restarted = await startTestApp(QUIET, { shareWith: t });
      try {
        const again = restarted.app.get(SchedulesService);
        expect(await again.runDue(new Date('2026-05-02T00:00:00Z'))).toMatchObject({ created: 0 });
        const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM schedule_runs`);
        expect(rows[0]!.n).toBe(8);
        // The next day's pass on the new instance runs the next occurrence of each, once.
        expect(await again.runDue(new Date('2026-05-03T00:00:00Z'))).toMatchObject({ created: 8 });
      } finally {
        await restarted.close();
      }
    });

    it('a run whose occurrence was taken already creates nothing (the unique run key)', async () => {
      const s = await scheduleAt('2026-06-01T00:00:00Z', { kind: 'daily', time: '10:00', start: '2026-06-01T00:00:00Z' });
      await service.runDue(new Date('2026-06-01T09:00:00Z'));
      // As a worker that read the schedule before the first commit would: its next run put back.
      await t.db.query(`UPDATE schedules SET next_run_at = '2026-06-01T08:00:00Z' WHERE id = $1`, [s.id]);
      expect(await service.runDue(new Date('2026-06-01T09:00:00Z'))).toMatchObject({ created: 0 });
      expect(await tasksOf(s.id)).toBe(1);
    });

    it('a window missed while nothing ran creates one task on recovery, counting the ones it folded in', async () => {
      const s = await scheduleAt('2026-07-01T00:00:00Z', { kind: 'daily', time: '09:00', start: '2026-07-01T00:00:00Z' });
      // Down from before the 1st's run until after the 4th's.
      expect(await service.runDue(new Date('2026-07-04T12:00:00Z'))).toMatchObject({ created: 1, missed: 3 });
      const runs = await runsOf(s.id);
      expect(runs.map((r) => [r.scheduled_at.toISOString(), r.outcome, r.missed])).toEqual([['2026-07-04T07:00:00.000Z', 'created', 3]]);
      expect(await tasksOf(s.id)).toBe(1);
      const view = await service.get(asUser(a), s.id);
      expect(view.nextRunAt).toBe('2026-07-05T07:00:00.000Z');
      expect(view.lastRunAt).toBe('2026-07-04T07:00:00.000Z');
    });

    it('spring forward in Berlin (29 March 2026): a 02:30 daily run happens once, at the jump, neither doubled nor dropped', async () => {
      const s = await scheduleAt('2026-03-27T00:00:00Z', { kind: 'daily', time: '02:30', start: '2026-03-27T00:00:00Z' });
      await walk('2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z', 10);
      const runs = await runsOf(s.id);
      expect(runs.map((r) => r.scheduled_at.toISOString())).toEqual([
        '2026-03-27T01:30:00.000Z', // 02:30 CET
        '2026-03-28T01:30:00.000Z',
        '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST, the jump
        '2026-03-30T00:30:00.000Z', // 02:30 CEST
      ]);
      expect(runs.every((r) => r.outcome === 'created' && r.missed === 0)).toBe(true);
      expect(await tasksOf(s.id)).toBe(4);
    });

    it('fall back in Berlin (25 October 2026): a 02:30 daily run happens once, the first time the clock shows it', async () => {
      const s = await scheduleAt('2026-10-23T00:00:00Z', { kind: 'daily', time: '02:30', start: '2026-10-23T00:00:00Z' });
      await walk('2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z', 10);
      const runs = await runsOf(s.id);
      expect(runs.map((r) => r.scheduled_at.toISOString())).toEqual([
        '2026-10-23T00:30:00.000Z', // 02:30 CEST
        '2026-10-24T00:30:00.000Z',
        '2026-10-25T00:30:00.000Z', // the first 02:30 (CEST); not again an hour later (CET)
        '2026-10-26T01:30:00.000Z', // 02:30 CET
      ]);
      expect(await tasksOf(s.id)).toBe(4);
    });

    it('a 17:00 last-business-day monthly schedule runs once a month across both clock changes', async () => {
      const s = await scheduleAt('2026-03-01T00:00:00Z', { kind: 'monthly_last_business_day', time: '17:00', start: '2026-03-01T00:00:00Z' });
      await walk('2026-03-01T00:00:00Z', '2026-11-02T00:00:00Z', 6 * 60);
      const runs = await runsOf(s.id);
      expect(runs.map((r) => r.scheduled_at.toISOString())).toEqual([
        '2026-03-31T15:00:00.000Z', // Tue, CEST since the 29th
        '2026-04-30T15:00:00.000Z',
        '2026-05-29T15:00:00.000Z', // the 31st is a Sunday
        '2026-06-30T15:00:00.000Z',
        '2026-07-31T15:00:00.000Z',
        '2026-08-31T15:00:00.000Z',
        '2026-09-30T15:00:00.000Z',
        '2026-10-30T16:00:00.000Z', // Fri, CET since the 25th
      ]);
      expect(runs.every((r) => r.missed === 0)).toBe(true);
    });

    it('a refused submission pauses the schedule with the reason, and its owner hears of it', async () => {
      const tpl = ok(await t.http.post<{ id: string }>('/api/templates', templateBody({ name: 'Soon archived' }), { token: a.token }), 201);
      const s = await scheduleAt('2026-08-01T00:00:00Z', { kind: 'daily', time: '09:00', start: '2026-08-01T00:00:00Z' }, { templateId: tpl.id });
      const socket = await LiveClient.connect(t.url, a.token);
      const other = await LiveClient.connect(t.url, b.token);
      try {
        ok(await t.http.post(`/api/templates/${tpl.id}/archive`, undefined, { token: a.token }));
        expect(await service.runDue(new Date('2026-08-01T08:00:00Z'))).toMatchObject({ refused: 1, created: 0 });
        const view = ok(await t.http.get<ScheduleView>(`/api/schedules/${s.id}`, { token: a.token }));
        expect(view.state).toBe('paused');
        expect(view.paused!.reason).toMatch(/refused \(409\).*archived/);
        const [run] = ok(await t.http.get<{ items: ScheduleRunView[] }>(`/api/schedules/${s.id}/runs`, { token: a.token })).items;
        expect(run).toMatchObject({ outcome: 'refused', taskId: null, reason: view.paused!.reason });
        const heard = await eventually(async () => socket.received.filter((r) => r.event === 'schedule.paused'), (l) => l.length > 0);
        expect(heard[0]!.payload).toMatchObject({ scheduleId: s.id, reason: view.paused!.reason, scheduledAt: '2026-08-01T07:00:00.000Z' });
        // A paused schedule creates nothing more.
        expect(await service.runDue(new Date('2026-08-03T08:00:00Z'))).toMatchObject({ created: 0, refused: 0 });
        expect(other.received.filter((r) => r.event === 'schedule.paused')).toEqual([]);
      } finally {
        socket.close();
        other.close();
      }
    });

    it('a pass over many due schedules: a run past its organization’s budget pauses that schedule with the 422, the others run', async () => {
      const c = await registerClient(t.http);
      const tpl = ok(await t.http.post<{ id: string }>('/api/templates', templateBody({ name: 'Budgeted' }), { token: c.token }), 201);
      const price = ok(await t.http.post<{ priceCents: number }>('/api/tasks/quote', { category: 'bookkeeping' }, { token: c.token })).priceCents;
      // Room for one run's task and not two, counted together in one pass.
      ok(await t.http.patch(`/api/organizations/${c.user.organizationId}/settings`, { monthlyBudgetCents: price + Math.floor(price / 2) }, { token: c.token }));
      const rule = { kind: 'daily', time: '09:00', start: '2026-04-01T00:00:00Z' };
      const budgeted = await Promise.all([1, 2].map(() => service.create(asUser(c), { templateId: tpl.id, rule: rule as never }, new Date('2026-04-01T00:00:00Z'))));
      const free = await Promise.all(Array.from({ length: 5 }, () => scheduleAt('2026-04-01T00:00:00Z', rule)));
      // c's zone is UTC, a's Berlin: both due by 09:30Z.
      expect(await service.runDue(new Date('2026-04-01T09:30:00Z'))).toMatchObject({ created: 6, refused: 1, failed: 0 });
      for (const s of free) expect((await runsOf(s.id)).map((r) => r.outcome)).toEqual(['created']);
      const views = await Promise.all(budgeted.map((s) => service.get(asUser(c), s.id)));
      const paused = views.filter((v) => v.state === 'paused');
      expect(paused).toHaveLength(1);
      expect(paused[0]!.paused!.reason).toMatch(/refused \(422\).*over its monthly budget/);
      expect((await runsOf(paused[0]!.id)).map((r) => [r.outcome, r.task_id, r.reason])).toEqual([['refused', null, paused[0]!.paused!.reason]]);
      expect(views.find((v) => v.state === 'active')!.nextRunAt).toBe('2026-04-02T09:00:00.000Z');
    });

    it('a schedule that cannot run does not hold up the others of its pass, and is tried again on the next', async () => {
      const rule = { kind: 'daily', time: '09:00', start: '2026-04-01T00:00:00Z' };
      const made = await Promise.all(Array.from({ length: 4 }, () => scheduleAt('2026-04-01T00:00:00Z', rule)));
      // A rule stored before today's checks, which no longer reads.
      await t.db.query(`UPDATE schedules SET rule = '{"kind":"yearly"}' WHERE id = $1`, [made[0]!.id]);
      expect(await service.runDue(new Date('2026-04-01T08:00:00Z'))).toMatchObject({ created: 3, failed: 1 });
      expect(await runsOf(made[0]!.id)).toEqual([]);
      for (const s of made.slice(1)) expect(await tasksOf(s.id)).toBe(1);
      const { rows } = await t.db.query<{ next_run_at: Date }>(`SELECT next_run_at FROM schedules WHERE id = $1`, [made[0]!.id]);
      expect(rows[0]!.next_run_at.toISOString()).toBe('2026-04-01T07:00:00.000Z');
      expect(await service.runDue(new Date('2026-04-01T08:00:00Z'))).toMatchObject({ created: 0, failed: 1 });
    });

    it('a template that came to require an input refuses the run with a 400 that names it', async () => {
      const tpl = ok(await t.http.post<{ id: string }>('/api/templates', templateBody({ name: 'Grows an input' }), { token: a.token }), 201);
      const s = await scheduleAt('2026-09-01T00:00:00Z', { kind: 'daily', time: '09:00', start: '2026-09-01T00:00:00Z' }, { templateId: tpl.id });
      ok(await t.http.patch(`/api/templates/${tpl.id}`, { inputs: [{ key: 'month', label: 'Month', type: 'text', required: true }] }, { token: a.token }));
      expect(await service.runDue(new Date('2026-09-01T08:00:00Z'))).toMatchObject({ refused: 1 });
      expect((await service.get(asUser(a), s.id)).paused!.reason).toMatch(/refused \(400\).*inputs\.month/);
    });
  });
});
