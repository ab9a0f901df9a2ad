import type { ErrorBody, QualificationAttemptView, QualificationsView, QualificationTasksView, QualificationTaskView, TaskView } from '@handoff/contracts';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { settled } from './support/settle.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';

describe('qualifications: a category that requires one gates its claims and its announce', () => {
  let t: TestApp;
  let admin: Session;
  let client: Session;
  /** Declared bookkeeping as a skill, holds no qualification. */
  let novice: Session;
  /** Will pass the bookkeeping qualification. */
  let learner: Session;
  /** Research only: a category that requires nothing. */
  let researcher: Session;
  let qualificationTask: QualificationTaskView;

  const requireBookkeeping = (required: boolean) => t.http.put('/api/qualifications/bookkeeping', { required }, { token: admin.token });
  const attempt = (s: Session, answer = 'Debit rent expense 1,200; credit cash 1,200.', taskId = qualificationTask.id) =>
    t.http.post<QualificationAttemptView & Partial<Omit<ErrorBody, 'status'>>>('/api/qualification-attempts', { qualificationTaskId: taskId, answer }, { token: s.token });
  const review = (id: string, outcome: 'passed' | 'failed', notes?: string) => t.http.post<QualificationAttemptView>(`/api/qualification-attempts/${id}/review`, { outcome, notes }, { token: admin.token });

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    client = await registerClient(t.http);
    novice = await registerAssistant(t.http, ['bookkeeping'], { name: 'Nia Novice' });
    learner = await registerAssistant(t.http, ['bookkeeping'], { name: 'Leo Learner' });
    researcher = await registerAssistant(t.http, ['research']);
    for (const s of [novice, learner, researcher]) await t.http.put('/api/assistants/me/availability', { online: true }, { token: s.token });
    const made = await t.http.post<QualificationTaskView>(
      '/api/qualification-tasks',
      { category: 'bookkeeping', instructions: 'Record a rent payment of 1,200 from the bank account.', referenceAnswer: 'Dr rent expense 1,200 / Cr cash 1,200' },
      { token: admin.token },
    );
    expect(made.status).toBe(201);
    qualificationTask = made.body;
  });
  afterAll(() => t.close());

  it('an admin requires a qualification and sets its tasks; assistants read the tasks without the reference answer', async () => {
    const set = await requireBookkeeping(true);
    expect([set.status, set.body]).toEqual([200, expect.objectContaining({ category: 'bookkeeping', required: true, tasks: 1 })]);
    expect(qualificationTask).toMatchObject({ category: 'bookkeeping', rubric: null, referenceAnswer: 'Dr rent expense 1,200 / Cr cash 1,200' });

    const forAssistant = await t.http.get<QualificationTasksView>('/api/qualification-tasks?category=bookkeeping', { token: novice.token });
    expect(forAssistant.status).toBe(200);
    expect(forAssistant.body.items).toEqual([{ id: qualificationTask.id, category: 'bookkeeping', instructions: qualificationTask.instructions, rubric: null, createdAt: qualificationTask.createdAt }]);
    const forAdmin = await t.http.get<QualificationTasksView>('/api/qualification-tasks?category=bookkeeping', { token: admin.token });
    expect(forAdmin.body.items[0]!.referenceAnswer).toBe('Dr rent expense 1,200 / Cr cash 1,200');

    const mine = await t.http.get<QualificationsView>('/api/qualifications', { token: novice.token });
    expect(mine.body.items.find((q) => q.category === 'bookkeeping')).toEqual({ category: 'bookkeeping', required: true, tasks: 1, held: false, grantedAt: null, openAttemptId: null });
    expect(mine.body.items.find((q) => q.category === 'research')).toMatchObject({ required: false, tasks: 0, held: false });
    // Requiring twice changes nothing.
    expect((await requireBookkeeping(true)).body.required).toBe(true);
  });

  it('a claim by id without the qualification is 422 naming it; claim-next and the board pass the task over', async () => {
    const task = await submitTask(t.http, client, { category: 'bookkeeping', title: 'Reconcile March' });
    const refused = await act(t.http, novice, task.id, 'claim');
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'qualification_required', qualification: 'bookkeeping', message: expect.stringMatching(/Bookkeeping qualification/) });

    // Its only skill's queue holds nothing it may take: nothing to claim.
    expect((await t.http.post('/api/tasks/claim-next', undefined, { token: novice.token })).status).toBe(204);
    const board = await t.http.get<{ items: TaskView[] }>('/api/tasks/available', { token: novice.token });
    expect(board.body.items.map((i) => i.id)).not.toContain(task.id);
    // Still queued, nobody took it; to the unqualified it is not there to read either.
    expect((await t.http.get<TaskView>(`/api/tasks/${task.id}`, { token: client.token })).body.status).toBe('queued');
    expect((await t.http.get(`/api/tasks/${task.id}`, { token: novice.token })).status).toBe(404);

    // A category that requires nothing is claimed on the declared skill alone.
    const research = await submitTask(t.http, client, { category: 'research' });
    expect((await act(t.http, researcher, research.id, 'claim')).status).toBe(200);
  });

  it('the announce leaves out the unqualified and includes an assistant once they passed', async () => {
    const sockets = { novice: await LiveClient.connect(t.url, novice.token), learner: await LiveClient.connect(t.url, learner.token) };
    // Both asked to hear of new work in the inbox too: that follows the qualification as well.
    for (const s of [novice, learner]) expect((await t.http.put('/api/me/notification-settings', { channels: { task_available: 'app' } }, { token: s.token })).status).toBe(200);
    const noticed = async (s: Session, taskId: string) =>
      (await t.db.query(`SELECT 1 FROM notifications WHERE user_id = $1 AND task_id = $2 AND kind = 'task_available'`, [s.user.id, taskId])).rowCount;
    try {
      // Nobody qualified: the announce tells nobody.
      const before = await submitTask(t.http, client, { category: 'bookkeeping', title: 'Before' });
      await settled(t, Object.values(sockets));
      expect([sockets.novice.of('task.available', before.id), sockets.learner.of('task.available', before.id)]).toEqual([[], []]);
      expect([await noticed(novice, before.id), await noticed(learner, before.id)]).toEqual([0, 0]);

      const submitted = await attempt(learner);
      expect([submitted.status, submitted.body]).toEqual([201, expect.objectContaining({ status: 'submitted', assistantId: learner.user.id, category: 'bookkeeping', reviewerId: null })]);
      const passed = await review(submitted.body.id, 'passed', 'Right accounts, right amounts.');
      expect([passed.status, passed.body]).toEqual([200, expect.objectContaining({ status: 'passed', reviewerId: admin.user.id, notes: 'Right accounts, right amounts.', reviewedAt: expect.any(String) })]);
      const held = (await t.http.get<QualificationsView>('/api/qualifications', { token: learner.token })).body.items.find((q) => q.category === 'bookkeeping');
      expect(held).toMatchObject({ held: true, grantedAt: expect.any(String), openAttemptId: null });

      const after = await submitTask(t.http, client, { category: 'bookkeeping', title: 'After' });
      await eventually(async () => sockets.learner.of('task.available', after.id).length, (n) => n === 1);
      await settled(t, Object.values(sockets));
      expect(sockets.novice.of('task.available', after.id)).toEqual([]);
      expect([await noticed(novice, after.id), await noticed(learner, after.id)]).toEqual([0, 1]);

      expect((await t.http.get(`/api/tasks/${after.id}`, { token: learner.token })).status).toBe(200);
      // The qualified assistant now claims by id, and claim-next finds the older task.
      expect((await act(t.http, learner, after.id, 'claim')).status).toBe(200);
      const next = await t.http.post<TaskView | null>('/api/tasks/claim-next', undefined, { token: learner.token });
      expect(next.body?.category).toBe('bookkeeping');
    } finally {
      Object.values(sockets).forEach((s) => s.close());
    }
  });

  it('one attempt waits for review at a time; a failed one can be followed by another; none once held', async () => {
    const first = await attempt(novice, 'Credit rent, debit cash.');
    expect(first.status).toBe(201);
    const second = await attempt(novice);
    expect([second.status, second.body.message]).toEqual([409, expect.stringMatching(/waiting for review/)]);
    const failed = await review(first.body.id, 'failed', 'The sides are the wrong way round.');
    expect(failed.body).toMatchObject({ status: 'failed', notes: 'The sides are the wrong way round.' });
    // The novice reads their own attempt; another assistant does not find it.
    expect((await t.http.get<QualificationAttemptView>(`/api/qualification-attempts/${first.body.id}`, { token: novice.token })).body.status).toBe('failed');
    expect((await t.http.get(`/api/qualification-attempts/${first.body.id}`, { token: learner.token })).status).toBe(404);
    const mine = await t.http.get<{ items: QualificationAttemptView[] }>('/api/qualification-attempts', { token: novice.token });
    expect(mine.body.items.map((a) => a.assistantId)).toEqual([novice.user.id]);
    const all = await t.http.get<{ items: QualificationAttemptView[] }>('/api/qualification-attempts?status=passed', { token: admin.token });
    expect(all.body.items.map((a) => a.assistantId)).toEqual([learner.user.id]);

    const again = await attempt(novice);
    expect(again.status).toBe(201);
    // Concurrent attempts from one assistant: one goes in.
    await review(again.body.id, 'failed');
    const racing = await Promise.all([attempt(novice), attempt(novice), attempt(novice)]);
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect((await attempt(learner)).status).toBe(409);
  });

  it('two reviews of one attempt at once: one outcome', async () => {
    const open = (await t.http.get<{ items: QualificationAttemptView[] }>(`/api/qualification-attempts?status=submitted`, { token: admin.token })).body.items.find((a) => a.assistantId === novice.user.id)!;
    const [pass, fail] = await Promise.all([review(open.id, 'passed'), review(open.id, 'failed')]);
    expect([pass.status, fail.status].sort()).toEqual([200, 409]);
    const winner = pass.status === 200 ? pass.body : fail.body;
    const now = await t.http.get<QualificationAttemptView>(`/api/qualification-attempts/${open.id}`, { token: admin.token });
    expect(now.body.status).toBe(winner.status);
    const grants = await t.db.query(`SELECT 1 FROM assistant_qualifications WHERE assistant_id = $1 AND category = 'bookkeeping'`, [novice.user.id]);
    expect(grants.rowCount).toBe(winner.status === 'passed' ? 1 : 0);
    const audited = await t.db.query(`SELECT details FROM audit_log WHERE action = 'qualification.review' AND target_id = $1`, [open.id]);
    expect(audited.rows.map((r) => r.details.outcome)).toEqual([winner.status]);
    // The loser is told what the attempt became.
    expect((pass.status === 409 ? pass : fail).body).toMatchObject({ status: winner.status });
  });

  it('dropping the requirement opens the category to the declared skill again', async () => {
    await t.db.query(`DELETE FROM assistant_qualifications WHERE assistant_id = $1`, [novice.user.id]);
    const task = await submitTask(t.http, client, { category: 'bookkeeping', title: 'Open again' });
    expect((await act(t.http, novice, task.id, 'claim')).status).toBe(422);
    expect((await requireBookkeeping(false)).body.required).toBe(false);
    expect((await act(t.http, novice, task.id, 'claim')).status).toBe(200);
    await requireBookkeeping(true);
  });

  it('refuses the wrong role (403) and what is not there (404)', async () => {
    expect((await t.http.put('/api/qualifications/bookkeeping', { required: true }, { token: novice.token })).status).toBe(403);
    expect((await t.http.put('/api/qualifications/bookkeeping', { required: true }, { token: client.token })).status).toBe(403);
    expect((await t.http.post('/api/qualification-tasks', { category: 'payroll', instructions: 'I', rubric: 'R' }, { token: novice.token })).status).toBe(403);
    expect((await t.http.get('/api/qualification-tasks', { token: client.token })).status).toBe(403);
    expect((await t.http.post('/api/qualification-attempts', { qualificationTaskId: qualificationTask.id, answer: 'A' }, { token: client.token })).status).toBe(403);
    expect((await t.http.post('/api/qualification-attempts', { qualificationTaskId: qualificationTask.id, answer: 'A' }, { token: admin.token })).status).toBe(403);
    expect((await t.http.get('/api/qualification-attempts', { token: client.token })).status).toBe(403);
    const open = await attempt(researcher);
    expect(open.status).toBe(201);
    expect((await t.http.post(`/api/qualification-attempts/${open.body.id}/review`, { outcome: 'passed' }, { token: learner.token })).status).toBe(403);
    expect((await t.http.post(`/api/qualification-attempts/${open.body.id}/review`, { outcome: 'passed' }, { token: client.token })).status).toBe(403);
    expect((await t.http.get(`/api/qualification-attempts/${open.body.id}`, { token: client.token })).status).toBe(403);
    expect((await t.http.get(`/api/qualification-attempts/${open.body.id}`, { token: novice.token })).status).toBe(404);
    expect((await attempt(researcher, 'A', NO_ID)).status).toBe(404);
    expect((await review(NO_ID, 'passed')).status).toBe(404);
    expect((await t.http.get(`/api/qualification-attempts/${NO_ID}`, { token: admin.token })).status).toBe(404);
  });

  it.each([
    ['requirement: not a boolean', 'PUT', '/api/qualifications/bookkeeping', { required: 'yes' }, /^required must be true or false$/],
    ['requirement: unknown category', 'PUT', '/api/qualifications/juggling', { required: true }, /^category must be one of/],
    ['task: no reference answer nor rubric', 'POST', '/api/qualification-tasks', { category: 'payroll', instructions: 'I' }, /^referenceAnswer or rubric is required$/],
    ['task: empty instructions', 'POST', '/api/qualification-tasks', { category: 'payroll', instructions: ' ', rubric: 'R' }, /^instructions must not be empty$/],
    ['task: smuggled field', 'POST', '/api/qualification-tasks', { category: 'payroll', instructions: 'I', rubric: 'R', createdBy: NO_ID }, /^createdBy is not allowed$/],
    ['tasks: bad category filter', 'GET', '/api/qualification-tasks?category=juggling', undefined, /^category must be one of/],
    ['attempts: bad status filter', 'GET', '/api/qualification-attempts?status=maybe', undefined, /^status must be one of/],
    ['attempt: id not a UUID', 'GET', '/api/qualification-attempts/123', undefined, /^id must be a UUID$/],
    ['review: bad outcome', 'POST', `/api/qualification-attempts/${NO_ID}/review`, { outcome: 'maybe' }, /^outcome must be passed or failed$/],
    ['review: NUL in the notes', 'POST', `/api/qualification-attempts/${NO_ID}/review`, { outcome: 'failed', notes: 'a\u0000b' }, /^notes must not contain the NUL character/],
  ])('bad input as an admin, %s: 400 naming the field', async (_name, method, path, body, message) => {
    const res = await t.http.request(method, path, body, { token: admin.token });
    expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(message)]);
  });

  it.each([
    ['no task id', { answer: 'A' }, /^qualificationTaskId is required$/],
    ['task id not a UUID', { qualificationTaskId: 'x', answer: 'A' }, /^qualificationTaskId must be a UUID$/],
    ['empty answer', { qualificationTaskId: NO_ID, answer: '' }, /^answer must not be empty$/],
    ['answer too long', { qualificationTaskId: NO_ID, answer: 'x'.repeat(20_001) }, /^answer must be at most 20000 characters$/],
  ])('bad attempt, %s: 400 naming the field', async (_name, body, message) => {
    const res = await t.http.post('/api/qualification-attempts', body, { token: researcher.token });
    expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(message)]);
  });
});
