import type { RatingView, TaskRatingView, TaskView } from '@handoff/contracts';
import { TasksService } from '../src/tasks/tasks.service.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const DAY_MS = 86_400_000;

describe('ratings: the client rates accepted work, for 7 days', () => {
  let t: TestApp;
  let admin: Session;
  let a: Session;
  let b: Session;
  let x: Session;
  let y: Session;
  const rating = (id: string) => `/api/tasks/${id}/rating`;

  /** A task of A's, done by X and returned; accepted by A unless told otherwise. */
  async function done(opts: { accept?: boolean } = {}): Promise<TaskView> {
    const task = await submitTask(t.http, a);
    for (const step of ['claim', 'start']) expect((await act(t.http, x, task.id, step)).status).toBe(200);
    const returned = await act(t.http, x, task.id, 'return', { result: 'Entered all 14 invoices.' });
    expect(returned.status).toBe(200);
    if (opts.accept === false) return returned.body;
    const accepted = await act(t.http, a, task.id, 'accept');
    expect(accepted.body.status).toBe('accepted');
    return accepted.body;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    x = await registerAssistant(t.http, ['data_entry']);
    y = await registerAssistant(t.http, ['data_entry']);
    await t.db.query(`UPDATE users SET max_concurrent_tasks = 50 WHERE id = $1`, [x.user.id]);
  });
  afterAll(() => t.close());

  it('rates accepted work, shows it on the task, tells the assistant live, and lets the client change it', async () => {
    const task = await done();
    const live = await LiveClient.connect(t.url, x.token);
    try {
      const before = await t.http.get<TaskRatingView>(rating(task.id), { token: a.token });
      expect(before.status).toBe(200);
      expect(before.body.rating).toBeNull();
      expect(Date.parse(before.body.editableUntil!)).toBe(Date.parse(task.acceptedAt!) + 7 * DAY_MS);

      const first = await t.http.put<RatingView>(rating(task.id), { stars: 4, comment: '  Clean work, one typo.  ' }, { token: a.token });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ taskId: task.id, organizationId: a.user.organizationId, assistantId: x.user.id, stars: 4, comment: 'Clean work, one typo.', ratedBy: a.user.id, revision: 1 });
      const heard = await eventually(async () => live.of('task.rated').map((r) => r.payload.rating as RatingView), (rs) => rs.length >= 1);
      expect(heard[0]).toEqual(first.body);

      // PUT replaces: without a comment the comment is gone.
      const second = await t.http.put<RatingView>(rating(task.id), { stars: 5 }, { token: a.token });
      expect(second.body).toMatchObject({ stars: 5, comment: null, revision: 2 });
      await eventually(async () => live.of('task.rated').map((r) => r.payload.rating.revision), (rs) => rs.includes(2));

      for (const who of [a, x, admin]) {
        const read = await t.http.get<TaskRatingView>(rating(task.id), { token: who.token });
        expect([read.status, read.body.rating]).toEqual([200, second.body]);
      }
      const view = await t.http.get<TaskView>(`/api/tasks/${task.id}`, { token: a.token });
      expect(view.body.rating).toEqual(second.body);
    } finally {
      live.close();
    }
  });

  it('two edits at once: both land, one after the other', async () => {
    const task = await done();
    const results = await Promise.all([3, 2].map((stars) => t.http.put<RatingView>(rating(task.id), { stars }, { token: a.token })));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => r.body.revision).sort()).toEqual([1, 2]);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n, max(revision) AS r FROM ratings WHERE task_id = $1`, [task.id]);
    expect(rows[0]).toEqual({ n: 1, r: 2 });
  });

  it('refuses work not yet accepted (409 with the status)', async () => {
    const task = await done({ accept: false });
    const res = await t.http.put(rating(task.id), { stars: 3 }, { token: a.token });
    expect([res.status, res.body.status]).toEqual([409, 'returned']);
    expect((await t.http.get<TaskRatingView>(rating(task.id), { token: a.token })).body).toEqual({ taskId: task.id, rating: null, editableUntil: null });
  });

  it('refuses work the review timer accepted: it has no rating', async () => {
    const task = await done({ accept: false });
    const moved = await t.app.get(TasksService).systemTransition(task.id, 'auto_accept', task.version);
    expect(moved?.status).toBe('accepted');
    const res = await t.http.put(rating(task.id), { stars: 5 }, { token: a.token });
    expect([res.status, res.body.message, res.body.reason]).toEqual([409, 'work accepted by the review timer has no rating', 'auto_accepted']);
    expect((await t.http.get<TaskRatingView>(rating(task.id), { token: a.token })).body.editableUntil).toBeNull();
    expect((await t.db.query(`SELECT count(*)::int AS n FROM ratings WHERE task_id = $1`, [task.id])).rows[0].n).toBe(0);
  });

  it('the edit window: open six days after acceptance, closed after seven, for a first rating and an edit alike', async () => {
    const rated = await done();
    const unrated = await done();
    expect((await t.http.put(rating(rated.id), { stars: 2 }, { token: a.token })).status).toBe(200);
    await t.db.query(`UPDATE tasks SET accepted_at = now() - interval '6 days' WHERE id = ANY($1::uuid[])`, [[rated.id, unrated.id]]);
    expect((await t.http.put(rating(rated.id), { stars: 3 }, { token: a.token })).status).toBe(200);
    await t.db.query(`UPDATE tasks SET accepted_at = now() - interval '7 days 1 minute' WHERE id = ANY($1::uuid[])`, [[rated.id, unrated.id]]);
    for (const id of [rated.id, unrated.id]) {
      const res = await t.http.put(rating(id), { stars: 5 }, { token: a.token });
      expect([res.status, res.body.message]).toEqual([409, expect.stringMatching(/^a rating can be given or changed for 7 days after acceptance, until /)]);
    }
    expect((await t.http.get<TaskRatingView>(rating(rated.id), { token: a.token })).body.rating).toMatchObject({ stars: 3, revision: 2 });
  });

  it('another organization and other assistants get 404; assistants and admins may not rate (403); anonymous 401', async () => {
    const task = await done();
    expect((await t.http.put(rating(task.id), { stars: 4 }, { token: b.token })).status).toBe(404);
    expect((await t.http.get(rating(task.id), { token: b.token })).status).toBe(404);
    expect((await t.http.get(rating(task.id), { token: y.token })).status).toBe(404);
    expect((await t.http.put(rating(task.id), { stars: 4 }, { token: x.token })).status).toBe(403);
    expect((await t.http.put(rating(task.id), { stars: 4 }, { token: admin.token })).status).toBe(403);
    expect((await t.http.put(rating(task.id), { stars: 4 })).status).toBe(401);
    expect((await t.http.get(rating(task.id))).status).toBe(401);
    expect((await t.http.put(rating('00000000-0000-4000-8000-000000000000'), { stars: 4 }, { token: a.token })).status).toBe(404);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM ratings WHERE task_id = $1`, [task.id])).rows[0].n).toBe(0);
  });

  type Case = [name: string, body: unknown, message: RegExp];
  const cases: Case[] = [
    ['no stars', {}, /^stars is required$/],
    ['stars as text', { stars: '5' }, /^stars must be a number$/],
    ['zero stars', { stars: 0 }, /^stars must be at least 1$/],
    ['six stars', { stars: 6 }, /^stars must be at most 5$/],
    ['half a star', { stars: 3.5 }, /^stars must be a whole number of stars$/],
    ['stars past 2^53', { stars: 2 ** 53 + 2 }, /^stars must be at most 5$/],
    ['comment not text', { stars: 3, comment: 7 }, /^comment must be a string$/],
    ['comment too long', { stars: 3, comment: 'x'.repeat(2001) }, /^comment must be at most 2000 characters$/],
    ['comment with NUL', { stars: 3, comment: 'a\u0000b' }, /^comment must not contain the NUL character/],
    ['comment with a lone surrogate', { stars: 3, comment: 'a\ud800b' }, /^comment must not contain an unpaired UTF-16 surrogate/],
    ['unknown field', { stars: 3, assistantId: '00000000-0000-4000-8000-000000000000' }, /^assistantId is not allowed$/],
    ['body is an array', [3], /^body must be a JSON object$/],
  ];

  it.each(cases)('bad input: %s → 400 naming the field', async (_name, body, message) => {
    const task = await done();
    const res = await t.http.put(rating(task.id), body, { token: a.token });
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
  });

  it('bad input: an id that is not a UUID, on both routes', async () => {
    for (const method of ['GET', 'PUT']) {
      const res = await t.http.request(method, '/api/tasks/nope/rating', method === 'PUT' ? { stars: 3 } : undefined, { token: a.token });
      expect([res.status, res.body.message]).toEqual([400, 'id must be a UUID']);
    }
  });
});
