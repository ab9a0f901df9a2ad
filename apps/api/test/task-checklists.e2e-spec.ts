import type { ErrorBody, TaskChecklistView, TaskView, TemplatePreview, TemplateView } from '@handoff/contracts';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import type { Res } from './support/http.js';
import { settled } from './support/settle.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, inHours } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';

type TaskOrError = TaskView & Partial<ErrorBody> & { missing?: { stepId: string; title: string }[] };
type ChecklistOrError = TaskChecklistView & Partial<ErrorBody>;

function templateBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Invoice entry',
    category: 'data_entry',
    defaultPriority: 'high',
    instructions: '# Invoices\n\nEnter **every** invoice.',
    checklist: [
      { title: 'Open the folder', detail: 'The shared one.' },
      { title: 'Enter each invoice' },
      { title: 'Flag duplicates', required: false },
    ],
    inputs: [
      { key: 'invoice_number', label: 'Invoice number', type: 'text', required: true, maxLength: 40 },
      { key: 'count', label: 'Invoices', type: 'number', integer: true, min: 1, max: 500 },
    ],
    // A time of day, so the preview and the submission a moment later agree on the deadline.
    deadlineRule: { kind: 'by_time', time: '17:00', day: 'next_business_day' },
    ...overrides,
  };
}

describe('tasks from templates, and their checklists', () => {
  let t: TestApp;
  let admin: Session;
  let a: Session;
  let b: Session;
  let x: Session;
  let y: Session;
  let tpl: TemplateView;

  const ok = <T>(res: Res<T>, status = 200): T => {
    expect({ status: res.status, body: res.status === status ? 'ok' : res.body }).toEqual({ status, body: 'ok' });
    return res.body;
  };
  const submit = (s: Session, body: Record<string, unknown>) => t.http.post<TaskOrError>('/api/tasks', body, { token: s.token });
  const fromTemplate = (s: Session = a, extra: Record<string, unknown> = {}) => submit(s, { templateId: tpl.id, inputs: { invoice_number: 'INV-1', count: 3 }, ...extra });
  const tick = (s: Session, taskId: string, stepId: string, body: unknown) => t.http.put<ChecklistOrError>(`/api/tasks/${taskId}/checklist/${stepId}`, body, { token: s.token });
  const read = (s: Session, id: string) => t.http.get<TaskView>(`/api/tasks/${id}`, { token: s.token });

  /** A task of A's made from the template, claimed and started by X. */
  async function working(): Promise<TaskView> {
    const task = ok(await fromTemplate(), 201);
    ok(await act(t.http, x, task.id, 'claim'));
    ok(await act(t.http, x, task.id, 'start'));
    return ok(await read(x, task.id));
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    x = await registerAssistant(t.http, ['data_entry', 'bookkeeping']);
    y = await registerAssistant(t.http, ['data_entry']);
    await t.db.query(`UPDATE users SET max_concurrent_tasks = 100 WHERE id = $1`, [x.user.id]);
    tpl = ok(await t.http.post<TemplateView>('/api/templates', templateBody(), { token: a.token }), 201);
  });
  afterAll(() => t.close());

  describe('submitting from a template', () => {
    it('fills the task from the current version, pins it, and fixes the price and the deadline the preview showed', async () => {
      const preview = ok(await t.http.post<TemplatePreview>(`/api/templates/${tpl.id}/preview`, { inputs: { invoice_number: 'INV-1', count: '3' } }, { token: a.token }));
      const task = ok(await fromTemplate(a, { inputs: { invoice_number: ' INV-1 ', count: '3' } }), 201);
      expect(task).toMatchObject({
        title: 'Invoice entry',
        instructions: tpl.current.instructions,
        category: 'data_entry',
        priority: 'high',
        status: 'queued',
        templateId: tpl.id,
        templateVersionId: tpl.versionId,
        templateVersion: 1,
        inputs: { invoice_number: 'INV-1', count: 3 },
        checklist: { done: 0, total: 3 },
        priceCents: preview.priceCents,
        currency: preview.currency,
        deadline: preview.deadline,
      });
      const full = ok(await read(a, task.id));
      expect(full.checklistSteps!.map((s) => [s.stepId, s.position, s.title, s.required, s.done])).toEqual(
        tpl.current.checklist.map((s, i) => [s.id, i, s.title, s.required, false]),
      );
      expect(full.checklistSteps![0]!.detail).toBe('The shared one.');
    });

    it('takes a title, a priority and a deadline given over the template’s', async () => {
      const deadline = inHours(30);
      const task = ok(await fromTemplate(a, { title: 'March invoices', priority: 'low', deadline }), 201);
      expect(task).toMatchObject({ title: 'March invoices', priority: 'low', deadline: new Date(deadline).toISOString(), templateVersion: 1 });
    });

    it('pins an older version when named, and keeps the task on its version after an edit', async () => {
      const before = ok(await fromTemplate(), 201);
      const edited = ok(await t.http.patch<TemplateView>(`/api/templates/${tpl.id}`, { checklist: [{ title: 'Only step' }] }, { token: a.token }));
      const older = ok(await fromTemplate(a, { versionId: tpl.versionId }), 201);
      const current = ok(await fromTemplate(), 201);
      expect([before, older, current].map((x) => [x.templateVersion, x.checklist.total])).toEqual([
        [1, 3],
        [1, 3],
        [2, 1],
      ]);
      expect(current.templateVersionId).toBe(edited.versionId);
      tpl = edited;
      // Back to three steps for the checklist tests below.
      tpl = ok(await t.http.patch<TemplateView>(`/api/templates/${tpl.id}`, { checklist: templateBody().checklist }, { token: a.token }));
    });

    it('makes a task from a starter template', async () => {
      const starters = ok(await t.http.get<{ items: { id: string; category: string }[] }>('/api/templates?scope=starter&category=bookkeeping', { token: a.token })).items;
      const starter = ok(await t.http.get<TemplateView>(`/api/templates/${starters[0]!.id}`, { token: a.token }));
      const required = Object.fromEntries(
        starter.current.inputs.filter((f) => f.required).map((f) => [f.key, f.type === 'date' ? '2026-12-31' : f.type === 'number' ? 1 : f.type === 'choice' ? f.options[0] : 'x']),
      );
      const task = ok(await submit(a, { templateId: starter.id, inputs: required }), 201);
      expect(task).toMatchObject({ category: 'bookkeeping', templateId: starter.id, checklist: { done: 0, total: starter.current.checklist.length } });
    });

    it('refuses an archived template (409), another organization’s (404), an unknown version (404), and an assistant (403)', async () => {
      const other = ok(await t.http.post<TemplateView>('/api/templates', templateBody({ name: 'B’s SOP' }), { token: b.token }), 201);
      expect((await submit(a, { templateId: other.id, inputs: { invoice_number: '1' } })).status).toBe(404);
      expect((await submit(a, { templateId: NO_ID })).status).toBe(404);
      expect((await fromTemplate(a, { versionId: other.versionId })).status).toBe(404);
      expect((await fromTemplate(x)).status).toBe(403);
      const archived = ok(await t.http.post<TemplateView>('/api/templates', templateBody({ name: 'Old SOP' }), { token: a.token }), 201);
      ok(await t.http.post(`/api/templates/${archived.id}/archive`, undefined, { token: a.token }));
      const res = await submit(a, { templateId: archived.id, inputs: { invoice_number: '1' } });
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/archived/);
    });

    const bad: [string, () => Record<string, unknown>, RegExp][] = [
      ['a required input missing', () => ({ templateId: tpl.id, inputs: {} }), /^inputs\.invoice_number is required$/],
      ['an input out of range', () => ({ templateId: tpl.id, inputs: { invoice_number: '1', count: 501 } }), /^inputs\.count must be at most 500$/],
      ['an input that is not a number', () => ({ templateId: tpl.id, inputs: { invoice_number: '1', count: 'many' } }), /^inputs\.count must be a number$/],
      ['an input the template does not have', () => ({ templateId: tpl.id, inputs: { invoice_number: '1', colour: 'red' } }), /^inputs\.colour is not a field of this template$/],
      ['inputs not an object', () => ({ templateId: tpl.id, inputs: [1] }), /^inputs must be an object of values by field key$/],
      ['a templateId that is not a UUID', () => ({ templateId: 'invoice-entry' }), /^templateId must be a UUID$/],
      ['a versionId that is not a UUID', () => ({ templateId: tpl.id, versionId: 'v1' }), /^versionId must be a UUID$/],
      ['instructions with a template', () => ({ templateId: tpl.id, instructions: 'Mine.', inputs: { invoice_number: '1' } }), /^instructions comes from the template; leave it out$/],
      ['a category with a template', () => ({ templateId: tpl.id, category: 'research', inputs: { invoice_number: '1' } }), /^category comes from the template; leave it out$/],
      ['inputs without a template', () => ({ title: 'T', instructions: 'I', category: 'research', deadline: inHours(5), inputs: {} }), /^inputs needs a templateId$/],
      ['a versionId without a template', () => ({ title: 'T', instructions: 'I', category: 'research', deadline: inHours(5), versionId: NO_ID }), /^versionId needs a templateId$/],
      ['no title without a template', () => ({ instructions: 'I', category: 'research', deadline: inHours(5) }), /^title is required$/],
      ['no deadline without a template', () => ({ title: 'T', instructions: 'I', category: 'research' }), /^deadline is required$/],
      ['a title too long with a template', () => ({ templateId: tpl.id, title: 'x'.repeat(201), inputs: { invoice_number: '1' } }), /^title must be at most 200 characters$/],
      ['NUL in an input', () => ({ templateId: tpl.id, inputs: { invoice_number: 'a\u0000b' } }), /^inputs\.invoice_number must not contain the NUL character/],
    ];
    it.each(bad)('submit: %s → 400 naming the field, nothing created', async (_name, body, message) => {
      const count = async () => (await t.db.query<{ n: number }>(`SELECT (SELECT count(*) FROM tasks) + (SELECT count(*) FROM task_checklist_steps) AS n`)).rows[0]!.n;
      const before = await count();
      const res = await submit(a, body());
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
      expect(await count()).toBe(before);
    });

    it('replays a templated submission sent again with its Idempotency-Key, and copies its checklist once', async () => {
      const body = { templateId: tpl.id, inputs: { invoice_number: 'IDEM-1' } };
      const headers = { 'idempotency-key': `tpl-${Date.now()}` };
      const [first, again] = await Promise.all([
        t.http.post<TaskView>('/api/tasks', body, { token: a.token, headers }),
        t.http.post<TaskView>('/api/tasks', body, { token: a.token, headers }),
      ]);
      expect([first.status, again.status]).toEqual([201, 201]);
      expect(again.body.id).toBe(first.body.id);
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM task_checklist_steps WHERE task_id = $1`, [first.body.id]);
      expect(rows[0].n).toBe(3);
    });

    it('commits templated and written-out submissions sent at once, each with its own checklist', async () => {
      const sent = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2 ? fromTemplate(a, { inputs: { invoice_number: `C-${i}` } }) : submit(a, { title: `Plain ${i}`, instructions: 'I', category: 'data_entry', deadline: inHours(5) }),
        ),
      );
      expect(sent.map((r) => r.status)).toEqual(Array(12).fill(201));
      const ids = sent.map((r) => r.body.id);
      const { rows } = await t.db.query<{ id: string; steps: number; total: number; inputs: unknown }>(
        `SELECT t.id, (SELECT count(*)::int FROM task_checklist_steps s WHERE s.task_id = t.id) AS steps, t.checklist_total AS total, t.inputs FROM tasks t WHERE t.id = ANY($1::uuid[])`,
        [ids],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      ids.forEach((id, i) => {
        expect(byId.get(id)).toMatchObject(i % 2 ? { steps: 3, total: 3, inputs: { invoice_number: `C-${i}` } } : { steps: 0, total: 0, inputs: null });
      });
    });
  });

  describe('the checklist', () => {
    it('the assignee ticks and unticks steps while in progress, with a note; each is in the task’s history', async () => {
      const task = await working();
      const [first, second] = task.checklistSteps!;
      const ticked = ok(await tick(x, task.id, first!.stepId, { done: true, note: 'Folder opened' }));
      expect(ticked).toMatchObject({ taskId: task.id, done: 1, total: 3 });
      expect(ticked.steps[0]).toMatchObject({ stepId: first!.stepId, done: true, doneBy: x.user.id, note: 'Folder opened' });
      expect(ticked.steps[0]!.doneAt).toEqual(expect.any(String));
      // The same tick again changes nothing and writes nothing.
      expect(ok(await tick(x, task.id, first!.stepId, { done: true })).done).toBe(1);
      ok(await tick(x, task.id, second!.stepId, { done: true }));
      const unticked = ok(await tick(x, task.id, second!.stepId, { done: false, note: 'Missed one' }));
      expect(unticked).toMatchObject({ done: 1, total: 3 });
      expect(unticked.steps[1]).toMatchObject({ done: false, doneAt: null, doneBy: null, note: 'Missed one' });

      const full = ok(await read(a, task.id));
      expect(full.checklist).toEqual({ done: 1, total: 3 });
      expect(full.events!.filter((e) => e.action === 'check' || e.action === 'uncheck').map((e) => [e.action, e.note, e.actorId, e.toStatus])).toEqual([
        ['check', 'Open the folder: Folder opened', x.user.id, 'in_progress'],
        ['check', 'Enter each invoice', x.user.id, 'in_progress'],
        ['uncheck', 'Enter each invoice: Missed one', x.user.id, 'in_progress'],
      ]);
      // The task's own version stays: a tick is not a move.
      expect(full.version).toBe(task.version);
      const listed = ok(await t.http.get<{ items: TaskView[] }>('/api/tasks?limit=100', { token: a.token })).items.find((i) => i.id === task.id)!;
      expect(listed.checklist).toEqual({ done: 1, total: 3 });
    });

    it('refuses everyone but the assignee: 403 to those who see the task, 404 to those who do not; 409 outside in progress', async () => {
      const task = ok(await fromTemplate(), 201);
      const step = tpl.current.checklist[0]!.id;
      expect((await tick(x, task.id, step, { done: true })).status).toBe(403); // queued: X sees it, does not hold it
      ok(await act(t.http, x, task.id, 'claim'));
      const claimed = await tick(x, task.id, step, { done: true });
      expect({ status: claimed.status, state: claimed.body.status }).toEqual({ status: 409, state: 'claimed' });
      ok(await act(t.http, x, task.id, 'start'));
      expect((await tick(a, task.id, step, { done: true })).status).toBe(403);
      expect((await tick(admin, task.id, step, { done: true })).status).toBe(403);
      expect((await tick(b, task.id, step, { done: true })).status).toBe(404);
      expect((await tick(y, task.id, step, { done: true })).status).toBe(404);
      expect((await tick(x, NO_ID, step, { done: true })).status).toBe(404);
      expect((await tick(x, task.id, NO_ID, { done: true })).status).toBe(404);
      expect((await t.db.query(`SELECT count(*)::int AS n FROM task_checklist_steps WHERE task_id = $1 AND done_at IS NOT NULL`, [task.id])).rows[0].n).toBe(0);
    });

    it.each([
      ['done missing', {}, /^done is required$/],
      ['done not a boolean', { done: 'yes' }, /^done must be true or false$/],
      ['note too long', { done: true, note: 'x'.repeat(2001) }, /^note must be at most 2000 characters$/],
      ['note empty', { done: true, note: '  ' }, /^note must not be empty$/],
      ['NUL in the note', { done: true, note: 'a\u0000' }, /^note must not contain the NUL character/],
      ['an unknown field', { done: true, doneBy: NO_ID }, /^doneBy is not allowed$/],
    ])('tick: %s → 400 naming the field', async (_name, body, message) => {
      const task = await working();
      const res = await tick(x, task.id, task.checklistSteps![0]!.stepId, body);
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
    });

    it('tick: ids that are not UUIDs → 400 naming them', async () => {
      const task = await working();
      expect((await tick(x, task.id, 'step-1', { done: true })).body.message).toBe('stepId must be a UUID');
      expect((await tick(x, 'task-1', task.checklistSteps![0]!.stepId, { done: true })).body.message).toBe('id must be a UUID');
    });

    it('a return with required steps not ticked is a 422 that names them; ticked, it goes through', async () => {
      const task = await working();
      const [open, enter, optional] = task.checklistSteps!;
      ok(await tick(x, task.id, open!.stepId, { done: true }));
      const refused = await act(t.http, x, task.id, 'return', { result: 'Done.' });
      expect(refused.status).toBe(422);
      const body = refused.body as TaskOrError;
      expect(body.message).toContain('Enter each invoice');
      expect(body.message).not.toContain('Flag duplicates');
      expect(body.missing).toEqual([{ stepId: enter!.stepId, title: 'Enter each invoice' }]);
      expect(ok(await read(x, task.id)).status).toBe('in_progress');
      ok(await tick(x, task.id, enter!.stepId, { done: true }));
      // The optional step may stay open.
      expect(optional!.required).toBe(false);
      expect(ok(await act(t.http, x, task.id, 'return', { result: 'Done.' })).status).toBe('returned');
      expect((await tick(x, task.id, optional!.stepId, { done: true })).status).toBe(409);
    });

    it('ticks sent at once keep the counts right: the same step many times, and every step at once', async () => {
      const task = await working();
      const steps = task.checklistSteps!;
      const same = await Promise.all(Array.from({ length: 8 }, () => tick(x, task.id, steps[0]!.stepId, { done: true })));
      expect(same.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(ok(await read(x, task.id)).checklist).toEqual({ done: 1, total: 3 });

      const all = await Promise.all(steps.flatMap((s) => Array.from({ length: 4 }, () => tick(x, task.id, s.stepId, { done: true }))));
      expect(all.map((r) => r.status)).toEqual(Array(12).fill(200));
      const untick = await Promise.all(steps.flatMap((s) => Array.from({ length: 3 }, () => tick(x, task.id, s.stepId, { done: false }))));
      expect(untick.map((r) => r.status)).toEqual(Array(9).fill(200));
      ok(await tick(x, task.id, steps[2]!.stepId, { done: true }));
      const { rows } = await t.db.query(
        `SELECT checklist_done, checklist_required_open, (SELECT count(*)::int FROM task_checklist_steps WHERE task_id = $1 AND done_at IS NOT NULL) AS ticked,
                (SELECT count(*)::int FROM task_events WHERE task_id = $1 AND action IN ('check', 'uncheck')) AS trail
           FROM tasks WHERE id = $1`,
        [task.id],
      );
      // One tick of step 1, then ticks of steps 2 and 3, three unticks, one tick of step 3 (optional): 7 changes.
      expect(rows[0]).toEqual({ checklist_done: 1, checklist_required_open: 2, ticked: 1, trail: 7 });
    });

    it('an untick racing a return: either the return waits and is refused, or the untick comes too late; never returned with a required step open', async () => {
      for (let round = 0; round < 4; round++) {
        const task = await working();
        const steps = task.checklistSteps!;
        for (const s of steps) ok(await tick(x, task.id, s.stepId, { done: true }));
        const [untick, back] = await Promise.all([tick(x, task.id, steps[1]!.stepId, { done: false }), act(t.http, x, task.id, 'return', { result: 'Done.' })]);
        const now = ok(await read(x, task.id));
        if (back.status === 200) {
          expect(untick.status).toBe(409);
          expect(now).toMatchObject({ status: 'returned', checklist: { done: 3, total: 3 } });
        } else {
          expect({ untick: untick.status, back: back.status }).toEqual({ untick: 200, back: 422 });
          expect(now).toMatchObject({ status: 'in_progress', checklist: { done: 2, total: 3 } });
        }
      }
    });
  });

  describe('live progress', () => {
    it('sends each tick’s checklist to the organization, the assignee and admins, and to nobody else', async () => {
      const task = await working();
      const sockets = {
        a: await LiveClient.connect(t.url, a.token),
        b: await LiveClient.connect(t.url, b.token),
        x: await LiveClient.connect(t.url, x.token),
        y: await LiveClient.connect(t.url, y.token),
        admin: await LiveClient.connect(t.url, admin.token),
      };
      try {
        const steps = task.checklistSteps!;
        ok(await tick(x, task.id, steps[0]!.stepId, { done: true, note: 'Opened' }));
        ok(await tick(x, task.id, steps[1]!.stepId, { done: true }));
        const last = (s: LiveClient) => s.of('task.checklist', task.id).at(-1)?.payload as TaskChecklistView | undefined;
        for (const s of [sockets.a, sockets.x, sockets.admin]) {
          await eventually(async () => last(s)?.done, (done) => done === 2);
        }
        await settled(t, Object.values(sockets));
        const seen = last(sockets.a)!;
        expect(seen).toMatchObject({ taskId: task.id, done: 2, total: 3 });
        expect(seen.steps.map((s) => [s.stepId, s.done, s.note])).toEqual([
          [steps[0]!.stepId, true, 'Opened'],
          [steps[1]!.stepId, true, null],
          [steps[2]!.stepId, false, null],
        ]);
        expect(sockets.b.of('task.checklist')).toEqual([]);
        expect(sockets.y.of('task.checklist')).toEqual([]);
        // A tick that changes nothing sends nothing.
        const before = sockets.a.of('task.checklist', task.id).length;
        ok(await tick(x, task.id, steps[1]!.stepId, { done: true }));
        await settled(t, Object.values(sockets));
        expect(sockets.a.of('task.checklist', task.id).length).toBe(before);
      } finally {
        Object.values(sockets).forEach((s) => s.close());
      }
    });
  });
});
