import type { MessagePage, MessageView, UnreadSummary } from '@handoff/contracts';
import { TasksService } from '../src/tasks/tasks.service.js';
import { addMember, loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { settled } from './support/settle.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';

describe('conversations: a task’s messages, their timeline, unread counts and live delivery', () => {
  let t: TestApp;
  let admin: Session;
  let a: Session; // the client whose tasks these are
  let member: Session; // another user of a's organization
  let b: Session; // another organization
  let x: Session; // the assistant who claims
  let y: Session; // another assistant with the same skill
  const msgs = (id: string) => `/api/tasks/${id}/messages`;
  const post = (s: Session, id: string, body: unknown) => t.http.post<MessageView & { message?: string }>(msgs(id), body, { token: s.token });
  const list = (s: Session, id: string, q = '') => t.http.get<MessagePage & { message?: string }>(`${msgs(id)}${q}`, { token: s.token });
  const del = (path: string, opts: { token: string }) => t.http.request<MessageView>('DELETE', path, undefined, opts);
  const unread = (s: Session) => t.http.get<UnreadSummary>('/api/messages/unread', { token: s.token });

  /** A task of a's claimed by `by` (x by default). */
  async function claimedTask(by: Session = x) {
    const task = await submitTask(t.http, a);
    const claimed = await act(t.http, by, task.id, 'claim');
    expect(claimed.status).toBe(200);
    return task;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http, { name: 'Casey Client' });
    member = await addMember(t.http, admin, a);
    b = await registerClient(t.http);
    x = await registerAssistant(t.http, ['data_entry'], { name: 'Xavier Doe' });
    y = await registerAssistant(t.http, ['data_entry'], { name: 'Yasmin Roe' });
    await t.db.query(`UPDATE users SET max_concurrent_tasks = 50 WHERE id = ANY($1)`, [[x.user.id, y.user.id]]);
  });
  afterAll(() => t.close());

  it('lets the client, the assignee and an admin post and read, in order, with the task’s state changes between', async () => {
    const task = await claimedTask();
    const first = await post(a, task.id, { body: 'Hi **there** — the folder is `/shared/march`.' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ taskId: task.id, seq: 1, authorId: a.user.id, authorRole: 'client', authorName: 'Casey Client', body: 'Hi **there** — the folder is `/shared/march`.', editedAt: null, deletedAt: null, version: 1 });
    await act(t.http, x, task.id, 'start');
    expect((await post(x, task.id, { body: 'Got it, starting now.' })).status).toBe(201);
    expect((await post(admin, task.id, { body: 'Admin here, watching.' })).status).toBe(201);
    await act(t.http, x, task.id, 'return', { result: 'All entered.' });
    await act(t.http, a, task.id, 'revise', { feedback: 'Two are missing.' });

    const page = await list(member, task.id);
    expect(page.status).toBe(200);
    const shape = page.body.items.map((i) => (i.kind === 'message' ? `m:${i.message.seq}` : `e:${i.event.action}`));
    expect(shape).toEqual(['e:submit', 'e:claim', 'm:1', 'e:start', 'm:2', 'm:3', 'e:return', 'e:revise']);
    const ret = page.body.items.find((i) => i.kind === 'event' && i.event.action === 'return');
    const rev = page.body.items.find((i) => i.kind === 'event' && i.event.action === 'revise');
    expect(ret).toMatchObject({ event: { result: 'All entered.' } });
    expect(rev).toMatchObject({ event: { note: 'Two are missing.' } });
    expect(page.body).toMatchObject({ nextCursor: null, unread: 3, seenUpTo: 0 });
    // The times never go backwards.
    const times = page.body.items.map((i) => Date.parse(i.at));
    expect([...times].sort((p, q) => p - q)).toEqual(times);
  });

  it('pages from the newest back, each state change on exactly one page', async () => {
    const task = await claimedTask();
    for (let i = 1; i <= 5; i++) expect((await post(a, task.id, { body: `message ${i}` })).status).toBe(201);
    await act(t.http, x, task.id, 'start');
    expect((await post(x, task.id, { body: 'message 6' })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    const pages: number[][] = [];
    do {
      const res: { status: number; body: MessagePage } = await list(a, task.id, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      pages.push(res.body.items.flatMap((i) => (i.kind === 'message' ? [i.message.seq] : [])));
      seen.push(...res.body.items.map((i) => (i.kind === 'message' ? `m${i.message.seq}` : `e:${i.event.action}`)));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([[5, 6], [3, 4], [1, 2]]);
    expect(seen.filter((s) => s.startsWith('e:')).sort()).toEqual(['e:claim', 'e:start', 'e:submit']);
    const bad = await list(a, task.id, '?cursor=not-a-cursor');
    expect([bad.status, bad.body.message]).toEqual([400, 'cursor is invalid']);
  });

  it('stores Markdown exactly as sent, script and all, for the dashboard to render as text', async () => {
    const task = await claimedTask();
    const payload = '  <img src=x onerror="alert(1)"><script>alert(document.cookie)</script>[x](javascript:alert(1))\n';
    const res = await post(a, task.id, { body: payload });
    expect(res.status).toBe(201);
    expect(res.body.body).toBe(payload);
    expect((await list(x, task.id)).body.items.find((i) => i.kind === 'message')).toMatchObject({ message: { body: payload } });
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('lets the author edit within 10 minutes (shown as edited), then answers 409; others get 403', async () => {
    const task = await claimedTask();
    const m = (await post(x, task.id, { body: 'draft' })).body;
    const edited = await t.http.patch<MessageView>(`${msgs(task.id)}/${m.id}`, { body: 'final' }, { token: x.token });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ body: 'final', version: 2, editedAt: expect.any(String), deletedAt: null });
    const other = await t.http.patch(`${msgs(task.id)}/${m.id}`, { body: 'hijack' }, { token: a.token });
    expect([other.status, other.body.message]).toEqual([403, 'only its author may edit a message']);
    const byAdmin = await del(`${msgs(task.id)}/${m.id}`, { token: admin.token });
    expect(byAdmin.status).toBe(403);
    await t.db.query(`UPDATE task_messages SET created_at = now() - interval '10 minutes 1 second' WHERE id = $1`, [m.id]);
    const late = await t.http.patch(`${msgs(task.id)}/${m.id}`, { body: 'too late' }, { token: x.token });
    expect([late.status, late.body.status]).toEqual([409, 'locked']);
    expect((await list(a, task.id)).body.items.find((i) => i.kind === 'message')).toMatchObject({ message: { body: 'final', editedAt: expect.any(String) } });
    const missing = await t.http.patch(`${msgs(task.id)}/${NO_ID}`, { body: 'x' }, { token: x.token });
    expect(missing.status).toBe(404);
  });

  it('keeps a deleted message as a tombstone without its body; it cannot be edited or deleted again', async () => {
    const task = await claimedTask();
    const m = (await post(a, task.id, { body: 'secret @xavier' })).body;
    expect(m.mentions).toEqual([x.user.id]);
    const gone = await del(`${msgs(task.id)}/${m.id}`, { token: a.token });
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ id: m.id, body: null, mentions: [], deletedAt: expect.any(String), version: 2 });
    const read = await list(x, task.id);
    expect(read.body.items.find((i) => i.kind === 'message')).toMatchObject({ message: { id: m.id, body: null, deletedAt: expect.any(String) } });
    expect(read.text).not.toContain('secret');
    expect((await del(`${msgs(task.id)}/${m.id}`, { token: a.token })).status).toBe(409);
    expect((await t.http.patch(`${msgs(task.id)}/${m.id}`, { body: 'back' }, { token: a.token })).body).toMatchObject({ statusCode: 409, status: 'deleted' });
    // A tombstone is nobody's unread message.
    expect((await list(x, task.id)).body.unread).toBe(0);
  });

  it('records mentions of people who may read the task, and only those', async () => {
    const task = await claimedTask();
    const res = await post(x, task.id, { body: 'Thanks @casey and @CaseyClient! cc @yasmin, mail@example.com, @nobody' });
    // Casey is a's user; Yasmin is an assistant without the task; the e-mail is not a mention.
    expect(res.body.mentions).toEqual([a.user.id]);
    const self = await post(x, task.id, { body: '@xavier note to self' });
    expect(self.body.mentions).toEqual([]);
  });

  it('counts unread per user and task, and marks seen forward only', async () => {
    const task = await claimedTask();
    const m1 = (await post(x, task.id, { body: 'one' })).body;
    const m2 = (await post(x, task.id, { body: 'two' })).body;
    await post(a, task.id, { body: 'mine' });
    expect((await list(a, task.id)).body).toMatchObject({ unread: 0, seenUpTo: 3 }); // posting marks seen
    expect((await list(member, task.id)).body.unread).toBe(3);
    const before = (await unread(member)).body;
    expect(before.tasks).toContainEqual({ taskId: task.id, unread: 3 });
    const seen = await t.http.post(`${msgs(task.id)}/seen`, { upTo: m2.id }, { token: member.token });
    expect([seen.status, seen.body]).toEqual([200, { taskId: task.id, unread: 1, seenUpTo: 2 }]);
    const back = await t.http.post(`${msgs(task.id)}/seen`, { upTo: m1.id }, { token: member.token });
    expect(back.body).toEqual({ taskId: task.id, unread: 1, seenUpTo: 2 });
    const after = (await unread(member)).body;
    expect(after.tasks).toContainEqual({ taskId: task.id, unread: 1 });
    expect(after.total).toBe(before.total - 2);
    expect((await unread(x)).body.tasks).toContainEqual({ taskId: task.id, unread: 1 });
    // An admin counts the conversations they joined.
    expect((await unread(admin)).body.tasks.find((u) => u.taskId === task.id)).toBeUndefined();
    await t.http.post(`${msgs(task.id)}/seen`, { upTo: m1.id }, { token: admin.token });
    expect((await unread(admin)).body.tasks).toContainEqual({ taskId: task.id, unread: 2 });
    // Seen up to a message of another task: not there.
    const elsewhere = (await post(a, (await claimedTask()).id, { body: 'other task' })).body;
    expect((await t.http.post(`${msgs(task.id)}/seen`, { upTo: elsewhere.id }, { token: member.token })).status).toBe(404);
  });

  it('takes the conversation from an assistant who released the task, and from one who was replaced', async () => {
    const task = await claimedTask();
    expect((await post(x, task.id, { body: 'on it' })).status).toBe(201);
    expect((await act(t.http, x, task.id, 'release')).status).toBe(200);
    for (const res of [await list(x, task.id), await post(x, task.id, { body: 'still here?' }), await unread(x)]) {
      if (res.status === 200) expect((res.body as UnreadSummary).tasks.map((u) => u.taskId)).not.toContain(task.id);
      else expect(res.status).toBe(404);
    }
    // y claims it: y reads the whole conversation, x still does not.
    expect((await act(t.http, y, task.id, 'claim')).status).toBe(200);
    expect((await list(y, task.id)).body.items.filter((i) => i.kind === 'message')).toHaveLength(1);
    expect((await list(x, task.id)).status).toBe(404);
    // Replaced: y's claim expires, x claims again, and y is out.
    await t.app.get(TasksService).systemTransition(task.id, 'expire', (await t.http.get(`/api/tasks/${task.id}`, { token: a.token })).body.version);
    expect((await act(t.http, x, task.id, 'claim')).status).toBe(200);
    expect((await list(y, task.id)).status).toBe(404);
    expect((await post(y, task.id, { body: 'hello?' })).status).toBe(404);
    expect((await list(x, task.id)).status).toBe(200);
  });

  it('answers 404 to other organizations and to assistants who do not hold the task, queued or not', async () => {
    const task = await claimedTask();
    const m = (await post(a, task.id, { body: 'private' })).body;
    const queued = await submitTask(t.http, a);
    for (const s of [b, y]) {
      expect((await list(s, task.id)).status).toBe(404);
      expect((await post(s, task.id, { body: 'hi' })).status).toBe(404);
      expect((await t.http.patch(`${msgs(task.id)}/${m.id}`, { body: 'x' }, { token: s.token })).status).toBe(404);
      expect((await del(`${msgs(task.id)}/${m.id}`, { token: s.token })).status).toBe(404);
      expect((await t.http.post(`${msgs(task.id)}/seen`, { upTo: m.id }, { token: s.token })).status).toBe(404);
    }
    // y may see the queued task in its skill, but not talk on it.
    expect((await t.http.get(`/api/tasks/${queued.id}`, { token: y.token })).status).toBe(200);
    expect((await list(y, queued.id)).status).toBe(404);
    expect((await list(a, NO_ID)).status).toBe(404);
    expect((await t.http.get(msgs(task.id))).status).toBe(401);
  });

  it.each([
    ['missing', {}, 'body is required'],
    ['empty', { body: '' }, 'body must not be empty'],
    ['only whitespace', { body: '   \n ' }, 'body must not be only whitespace'],
    ['10,001 characters', { body: 'x'.repeat(10_001) }, 'body must be at most 10000 characters'],
    ['a number', { body: 42 }, 'body must be a string'],
    ['NUL', { body: 'a\u0000b' }, 'body must not contain the NUL character (U+0000)'],
    ['a lone surrogate', { body: 'a\ud800b' }, 'body must not contain an unpaired UTF-16 surrogate (U+D800 to U+DFFF)'],
    ['an author of its own', { body: 'ok', authorId: NO_ID }, 'authorId is not allowed'],
  ])('refuses a bad post (%s) with 400 naming the field', async (_field, body, message) => {
    const task = await claimedTask();
    const res = await post(a, task.id, body);
    expect([res.status, res.body.message]).toEqual([400, message]);
  });

  it('refuses bad edits, seen marks, ids and queries with 400 naming the field', async () => {
    const task = await claimedTask();
    const m = (await post(a, task.id, { body: 'ok' })).body;
    const cases: [string, string, string, unknown, string][] = [
      ['PATCH', `${msgs(task.id)}/${m.id}`, 'edit', { body: '' }, 'body must not be empty'],
      ['PATCH', `${msgs(task.id)}/${m.id}`, 'edit', { body: 'x', deletedAt: null }, 'deletedAt is not allowed'],
      ['PATCH', `${msgs(task.id)}/not-a-uuid`, 'edit', { body: 'x' }, 'messageId must be a UUID'],
      ['DELETE', `${msgs(task.id)}/not-a-uuid`, 'delete', undefined, 'messageId must be a UUID'],
      ['POST', `${msgs(task.id)}/seen`, 'seen', {}, 'upTo is required'],
      ['POST', `${msgs(task.id)}/seen`, 'seen', { upTo: 'nope' }, 'upTo must be a UUID'],
      ['GET', `${msgs(task.id)}?limit=0`, 'list', undefined, 'limit must be at least 1'],
      ['GET', `${msgs(task.id)}?limit=abc`, 'list', undefined, 'limit must be a number'],
      ['GET', `${msgs(task.id)}?since=1`, 'list', undefined, 'since is not allowed'],
      ['GET', `/api/tasks/not-a-uuid/messages`, 'list', undefined, 'id must be a UUID'],
    ];
    for (const [method, path, what, body, message] of cases) {
      const res = await t.http.request(method, path, body, { token: a.token });
      expect({ what, path, status: res.status, message: res.body?.message }).toEqual({ what, path, status: 400, message });
    }
  });

  it('keeps order and counts under concurrent posts from every side', async () => {
    const task = await claimedTask();
    const writers = [a, member, x, admin];
    const n = 10;
    const results = await Promise.all(writers.flatMap((s) => Array.from({ length: n }, (_, i) => post(s, task.id, { body: `${s.user.id} #${i}` }))));
    expect(results.map((r) => r.status).every((s) => s === 201)).toBe(true);
    const seqs = results.map((r) => r.body.seq).sort((p, q) => p - q);
    expect(seqs).toEqual(Array.from({ length: writers.length * n }, (_, i) => i + 1));
    const all = (await list(x, task.id, '?limit=200')).body.items.flatMap((i) => (i.kind === 'message' ? [i.message] : []));
    expect(all.map((m) => m.seq)).toEqual(seqs);
    const times = all.map((m) => Date.parse(m.createdAt));
    expect([...times].sort((p, q) => p - q)).toEqual(times);
    // Each reader's unread count is everybody else's messages.
    const unreadOf = async (s: Session) => (await unread(s)).body.tasks.find((u) => u.taskId === task.id)?.unread ?? 0;
    // Posting marks seen up to one's own message, so a writer's unread are the others' messages after their last one.
    for (const [k, s] of writers.entries()) {
      const mine = results.slice(k * n, (k + 1) * n).map((r) => r.body.seq);
      const last = Math.max(...mine);
      expect({ who: k, unread: await unreadOf(s) }).toEqual({ who: k, unread: seqs.filter((q) => q > last && !mine.includes(q)).length });
    }
    const counts = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM task_messages WHERE task_id = $1`, [task.id]);
    expect(counts.rows[0]!.n).toBe(writers.length * n);
  });

  it('sends each message live to exactly the people who may read the task, with their own unread count, and nothing to others', async () => {
    const task = await claimedTask();
    const sockets = {
      a: await LiveClient.connect(t.url, a.token),
      member: await LiveClient.connect(t.url, member.token),
      x: await LiveClient.connect(t.url, x.token),
      admin: await LiveClient.connect(t.url, admin.token),
      b: await LiveClient.connect(t.url, b.token),
      y: await LiveClient.connect(t.url, y.token),
    };
    const all = Object.values(sockets);
    try {
      const first = (await post(a, task.id, { body: 'live one' })).body;
      await eventually(async () => sockets.x.of('message.created', task.id).length, (k) => k === 1);
      await settled(t, all);
      for (const who of ['a', 'member', 'x', 'admin'] as const) {
        expect(sockets[who].of('message.created', task.id).map((r) => [r.payload.message.id, r.payload.message.body])).toEqual([[first.id, 'live one']]);
      }
      expect(sockets.member.of('message.created', task.id)[0]!.payload.unread).toBe(1);
      expect(sockets.a.of('message.created', task.id)[0]!.payload.unread).toBe(0);
      const edited = await t.http.patch(`${msgs(task.id)}/${first.id}`, { body: 'live one, edited' }, { token: a.token });
      expect(edited.status).toBe(200);
      await del(`${msgs(task.id)}/${first.id}`, { token: a.token });
      // An edit the relay reads after the delete is superseded: each socket gets the newest state, never an older one after it.
      await eventually(async () => sockets.x.of('message.updated', task.id).at(-1)?.payload.message.version, (v) => v === 3);
      await settled(t, all);
      for (const who of ['a', 'member', 'x', 'admin'] as const) {
        const updates = sockets[who].of('message.updated', task.id).map((r) => [r.payload.message.version, r.payload.message.body]);
        expect(updates.at(-1)).toEqual([3, null]);
        expect(updates.filter(([v]) => v === 2)).toEqual(updates.length === 2 ? [[2, 'live one, edited']] : []);
      }
      // Released: x hears nothing further; the client still does.
      await act(t.http, x, task.id, 'release');
      const xBefore = sockets.x.of('message.created', task.id).length;
      await post(a, task.id, { body: 'after release' });
      await eventually(async () => sockets.member.of('message.created', task.id).length, (k) => k === 2);
      await settled(t, all);
      expect(sockets.x.of('message.created', task.id).length).toBe(xBefore);
      for (const who of ['b', 'y'] as const) {
        expect(sockets[who].received.filter((r) => r.event.startsWith('message.'))).toEqual([]);
      }
    } finally {
      all.forEach((s) => s.close());
    }
  });
});
