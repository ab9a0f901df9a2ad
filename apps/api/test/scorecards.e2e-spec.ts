import type { ScorecardView, TaskView } from '@handoff/contracts';
import { TasksService } from '../src/tasks/tasks.service.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { act, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';

describe('scorecards: an assistant’s record over 30 and 90 days', () => {
  let t: TestApp;
  let admin: Session;
  let a: Session;
  let b: Session;
  let x: Session;
  let y: Session;
  const card = (id: string, window?: string) => `/api/assistants/${id}/scorecard${window ? `?window=${window}` : ''}`;

  /**
   * A's task done by `who`: returned (late when asked), sent back `revisions` times,
   * then accepted by A, or by the review timer, or left returned.
   */
  async function history(who: Session, o: { late?: boolean; revisions?: number; accept?: 'client' | 'timer' | 'none'; stars?: number } = {}): Promise<TaskView> {
    const task = await submitTask(t.http, a);
    for (const step of ['claim', 'start']) expect((await act(t.http, who, task.id, step)).status).toBe(200);
    if (o.late) await t.db.query(`UPDATE tasks SET deadline = now() - interval '1 minute' WHERE id = $1`, [task.id]);
    let last = await act(t.http, who, task.id, 'return', { result: 'Done.' });
    for (let i = 0; i < (o.revisions ?? 0); i++) {
      expect((await act(t.http, a, task.id, 'revise', { feedback: `Round ${i + 1}: fix the totals.` })).status).toBe(200);
      last = await act(t.http, who, task.id, 'return', { result: `Done, round ${i + 1}.` });
    }
    expect(last.body.status).toBe('returned');
    const accept = o.accept ?? 'client';
    if (accept === 'client') last = await act(t.http, a, task.id, 'accept');
    if (accept === 'timer') await t.app.get(TasksService).systemTransition(task.id, 'auto_accept', last.body.version);
    if (o.stars) expect((await t.http.put(`/api/tasks/${task.id}/rating`, { stars: o.stars }, { token: a.token })).status).toBe(200);
    return last.body;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    x = await registerAssistant(t.http, ['data_entry']);
    y = await registerAssistant(t.http, ['data_entry']);
    await t.db.query(`UPDATE users SET max_concurrent_tasks = 50 WHERE id = ANY($1::uuid[])`, [[x.user.id, y.user.id]]);
    // X's known history. In the last 30 days:
    await history(x, { stars: 5 }); //                       on time, first pass, ★5
    await history(x, { revisions: 1, stars: 3 }); //         on time, one revision, ★3
    await history(x, { late: true }); //                     late, first pass
    await history(x, { revisions: 2 }); //                   on time, two revisions
    await history(x, { accept: 'timer' }); //               on time, first pass, accepted by the timer
    await history(x, { accept: 'none' }); //                 returned, not accepted: not done yet
    // Accepted 40 days ago: only in the 90-day window.
    const old = await history(x, { stars: 1 });
    await t.db.query(`UPDATE tasks SET accepted_at = now() - interval '40 days' WHERE id = $1`, [old.id]);
    // Accepted 100 days ago: in neither.
    const older = await history(x, { stars: 2, late: true });
    await t.db.query(`UPDATE tasks SET accepted_at = now() - interval '100 days' WHERE id = $1`, [older.id]);
    // Someone else's work counts for them, not for X.
    await history(y, { stars: 1, revisions: 1, late: true });
  });
  afterAll(() => t.close());

  it('computes the numbers of a known history, over 30 days (the default) and 90', async () => {
    const thirty = await t.http.get<ScorecardView>(card(x.user.id), { token: x.token });
    expect(thirty.status).toBe(200);
    expect(thirty.body).toEqual({
      assistantId: x.user.id,
      windowDays: 30,
      from: expect.any(String),
      to: expect.any(String),
      tasksDone: 5,
      onTimeRate: 0.8,
      firstPassRate: 0.6,
      revisionsPerTask: 0.6,
      averageRating: 4,
      ratingCount: 2,
    });
    expect(Date.parse(thirty.body.to) - Date.parse(thirty.body.from)).toBe(30 * 86_400_000);
    const ninety = await t.http.get<ScorecardView>(card(x.user.id, '90'), { token: admin.token });
    expect(ninety.body).toMatchObject({ windowDays: 90, tasksDone: 6, onTimeRate: 0.8333, firstPassRate: 0.6667, revisionsPerTask: 0.5, averageRating: 3, ratingCount: 3 });
    expect((await t.http.get<ScorecardView>(card(y.user.id), { token: y.token })).body).toMatchObject({ tasksDone: 1, onTimeRate: 0, firstPassRate: 0, revisionsPerTask: 1, averageRating: 1, ratingCount: 1 });
  });

  it('an assistant with nothing done yet: zero tasks and no rates', async () => {
    const fresh = await registerAssistant(t.http);
    expect((await t.http.get<ScorecardView>(card(fresh.user.id), { token: fresh.token })).body).toMatchObject({
      tasksDone: 0,
      onTimeRate: null,
      firstPassRate: null,
      revisionsPerTask: null,
      averageRating: null,
      ratingCount: 0,
    });
  });

  it('a client sees only the rating and on-time rate, of assistants who worked for it or whom it prefers', async () => {
    const limited = await t.http.get<ScorecardView>(card(x.user.id, '90'), { token: a.token });
    expect(limited.status).toBe(200);
    expect(Object.keys(limited.body).sort()).toEqual(['assistantId', 'averageRating', 'from', 'onTimeRate', 'ratingCount', 'to', 'windowDays']);
    expect(limited.body).toMatchObject({ onTimeRate: 0.8333, averageRating: 3, ratingCount: 3 });
    // B never had X's work: X's record is not B's to read, until B prefers X (an admin marks it here).
    expect((await t.http.get(card(x.user.id), { token: b.token })).status).toBe(404);
    expect((await t.http.put(`/api/organizations/${b.user.organizationId}/preferred-assistants/${x.user.id}`, undefined, { token: admin.token })).status).toBe(200);
    expect((await t.http.get<ScorecardView>(card(x.user.id), { token: b.token })).body).toMatchObject({ onTimeRate: 0.8, averageRating: 4, ratingCount: 2 });
  });

  it('other assistants, ids that are no assistant’s, and anonymous callers are refused', async () => {
    expect((await t.http.get(card(x.user.id), { token: y.token })).status).toBe(404);
    expect((await t.http.get(card(NO_ID), { token: admin.token })).status).toBe(404);
    expect((await t.http.get(card(a.user.id), { token: admin.token })).status).toBe(404);
    expect((await t.http.get(card(NO_ID), { token: a.token })).status).toBe(404);
    expect((await t.http.get(card(x.user.id))).status).toBe(401);
  });

  it.each([
    ['a window of 7 days', '?window=7', /^window must be 30 or 90$/],
    ['a window that is no number', '?window=month', /^window must be 30 or 90$/],
    ['a window with NUL', '?window=30%00', /^window must be 30 or 90$/],
    ['an unknown query value', '?from=2026-01-01', /^from is not allowed$/],
  ])('bad input: %s → 400 naming the field', async (_name, qs, message) => {
    const res = await t.http.get(`/api/assistants/${x.user.id}/scorecard${qs}`, { token: x.token });
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
  });

  it('bad input: an id that is not a UUID', async () => {
    const res = await t.http.get('/api/assistants/me/scorecard', { token: x.token });
    expect([res.status, res.body.message]).toEqual([400, 'id must be a UUID']);
  });

  it('reads one assistant’s accepted tasks of the window through tasks_assignee_accepted_idx', async () => {
    // Enough of other assistants' accepted work that walking the table would cost more than the index.
    await t.db.query(`
      INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, status, assignee_id, on_time, returned_at, accepted_at)
      SELECT $1, $2, 'bulk', 'bulk', 'data_entry', 'normal', now() + interval '1 day', 1000, 'USD', 'accepted', $3, true, now(), now() - (g % 120) * interval '1 day'
        FROM generate_series(1, 20000) g`, [a.user.organizationId, a.user.id, y.user.id]);
    await t.db.query(`ANALYZE tasks`);
    const { rows } = await t.db.query(`EXPLAIN (FORMAT JSON) SELECT t.id, t.on_time FROM tasks t WHERE t.assignee_id = $1 AND t.status = 'accepted' AND t.accepted_at >= $2`, [x.user.id, new Date(Date.now() - 30 * 86_400_000)]);
    expect(JSON.stringify(rows[0]['QUERY PLAN'])).toContain('tasks_assignee_accepted_idx');
  });
});
