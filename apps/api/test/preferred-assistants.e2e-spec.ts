import { jobId, type PreferredAssistantsView, type PreferredAssistantView } from '@handoff/contracts';
import type { Queue } from 'bullmq';
import { JobsService } from '../src/dispatch/jobs.service.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { settled } from './support/settle.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';

describe('preferred assistants: a head start on the organization’s new tasks', () => {
  let t: TestApp;
  let dispatch: Queue;
  let admin: Session;
  let a: Session;
  let b: Session;
  let p: Session;
  let o: Session;
  let stranger: Session;
  const list = (org: string) => `/api/organizations/${org}/preferred-assistants`;
  const one = (org: string, assistant: string) => `${list(org)}/${assistant}`;
  const orgA = () => a.user.organizationId!;
  const setHeadStart = async (seconds: number) =>
    expect((await t.http.patch(`/api/organizations/${orgA()}/settings`, { preferredHeadStartSeconds: seconds }, { token: a.token })).body.preferredHeadStartSeconds).toBe(seconds);

  /** One task of A's that `who` returned and A accepted: `who` has worked for A. */
  async function workFor(who: Session): Promise<void> {
    const task = await submitTask(t.http, a, { category: 'research' });
    for (const step of ['claim', 'start']) expect((await act(t.http, who, task.id, step)).status).toBe(200);
    expect((await act(t.http, who, task.id, 'return', { result: 'Done.' })).status).toBe(200);
    expect((await act(t.http, a, task.id, 'accept')).status).toBe(200);
  }

  beforeAll(async () => {
    t = await startTestApp();
    dispatch = t.app.get(JobsService).queue('dispatch');
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    p = await registerAssistant(t.http, ['data_entry', 'research'], { name: 'Pat Preferred' });
    o = await registerAssistant(t.http, ['data_entry', 'research'], { name: 'Olu Other' });
    stranger = await registerAssistant(t.http, ['data_entry']);
    await workFor(p);
    await workFor(o);
    for (const s of [p, o, stranger]) await t.http.put('/api/assistants/me/availability', { online: true }, { token: s.token });
  });
  afterAll(() => t.close());

  it('lists who worked for the organization; marks and unmarks one; marking twice keeps the first', async () => {
    const before = await t.http.get<PreferredAssistantsView>(list(orgA()), { token: a.token });
    expect(before.status).toBe(200);
    expect(before.body.headStartSeconds).toBe(300);
    expect(before.body.items.map((i) => [i.name, i.preferred, i.tasksReturned]).sort()).toEqual([
      ['Olu Other', false, 1],
      ['Pat Preferred', false, 1],
    ]);
    const marked = await t.http.put<PreferredAssistantView>(one(orgA(), p.user.id), undefined, { token: a.token });
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ assistantId: p.user.id, name: 'Pat Preferred', preferred: true, preferredAt: expect.any(String), tasksReturned: 1 });
    const again = await t.http.put<PreferredAssistantView>(one(orgA(), p.user.id), undefined, { token: a.token });
    expect(again.body.preferredAt).toBe(marked.body.preferredAt);
    const after = await t.http.get<PreferredAssistantsView>(list(orgA()), { token: a.token });
    expect(after.body.items[0]).toEqual(marked.body);

    expect((await t.http.put(one(orgA(), o.user.id), undefined, { token: a.token })).status).toBe(200);
    expect((await t.http.request('DELETE', one(orgA(), o.user.id), undefined, { token: a.token })).status).toBe(204);
    // Unmarking is idempotent too.
    expect((await t.http.request('DELETE', one(orgA(), o.user.id), undefined, { token: a.token })).status).toBe(204);
    const items = (await t.http.get<PreferredAssistantsView>(list(orgA()), { token: a.token })).body.items;
    expect(items.map((i) => [i.name, i.preferred])).toEqual([
      ['Pat Preferred', true],
      ['Olu Other', false],
    ]);
  });

  it('a client may mark only assistants who worked for it; an admin any assistant; nobody a non-assistant', async () => {
    expect((await t.http.put(one(orgA(), stranger.user.id), undefined, { token: a.token })).status).toBe(404);
    expect((await t.http.put(one(orgA(), a.user.id), undefined, { token: admin.token })).status).toBe(404);
    expect((await t.http.put(one(orgA(), NO_ID), undefined, { token: admin.token })).status).toBe(404);
    const byAdmin = await t.http.put<PreferredAssistantView>(one(b.user.organizationId!, stranger.user.id), undefined, { token: admin.token });
    expect(byAdmin.body).toMatchObject({ preferred: true, tasksReturned: 0 });
    expect((await t.http.get<PreferredAssistantsView>(list(b.user.organizationId!), { token: b.token })).body.items.map((i) => i.assistantId)).toEqual([stranger.user.id]);
  });

  it('the preferred assistant hears of a new task first, everyone else after the head start; others can claim it meanwhile', async () => {
    await setHeadStart(2);
    const sockets = { p: await LiveClient.connect(t.url, p.token), o: await LiveClient.connect(t.url, o.token) };
    try {
      // One log across both sockets, in the order the events arrived.
      const arrivals: string[] = [];
      sockets.p.socket.on('task.available', ({ task }) => arrivals.push(`p ${task.id}`));
      sockets.o.socket.on('task.available', ({ task }) => arrivals.push(`o ${task.id}`));

      const task = await submitTask(t.http, a);
      await eventually(async () => arrivals, (log) => log.includes(`p ${task.id}`));
      // Everyone else's announce is a delayed job, added once the preferred assistant was told.
      expect(await (await dispatch.getJob(jobId.announceOpen(task.id, 1)))?.getState()).toMatch(/^(delayed|waiting|active|completed)$/);
      await eventually(async () => arrivals, (log) => log.includes(`o ${task.id}`));
      expect(arrivals.filter((e) => e.endsWith(task.id))).toEqual([`p ${task.id}`, `o ${task.id}`]);

      // A long head start: O has not heard of this one, and still claims it by id.
      await setHeadStart(3600);
      const early = await submitTask(t.http, a);
      await eventually(async () => arrivals, (log) => log.includes(`p ${early.id}`));
      const open = await dispatch.getJob(jobId.announceOpen(early.id, 1));
      expect(await open?.getState()).toBe('delayed');
      expect(arrivals).not.toContain(`o ${early.id}`);
      const claimed = await act(t.http, o, early.id, 'claim');
      expect([claimed.status, claimed.body.assigneeId]).toEqual([200, o.user.id]);
      // Its turn come, the open announce finds the task taken and tells nobody.
      await open!.promote();
      await eventually(async () => (await dispatch.getJob(open!.id!))?.returnvalue as { announced: number; skipped: number } | undefined, (r) => r !== undefined && r !== null);
      expect((await dispatch.getJob(open!.id!))!.returnvalue).toMatchObject({ announced: 0, skipped: 1 });
      await settled(t, Object.values(sockets));
      expect(arrivals).not.toContain(`o ${early.id}`);
    } finally {
      Object.values(sockets).forEach((s) => s.close());
    }
  });

  it('everyone hears at once with a head start of 0, or with no preferred assistant able to take the task', async () => {
    const sockets = { p: await LiveClient.connect(t.url, p.token), o: await LiveClient.connect(t.url, o.token) };
    try {
      await setHeadStart(0);
      const now = await submitTask(t.http, a);
      await eventually(async () => [sockets.p.of('task.available', now.id).length, sockets.o.of('task.available', now.id).length], ([x, y]) => x === 1 && y === 1);
      expect(await dispatch.getJob(jobId.announceOpen(now.id, 1))).toBeUndefined();

      await setHeadStart(3600);
      await t.http.put('/api/assistants/me/availability', { online: false }, { token: p.token });
      const offline = await submitTask(t.http, a);
      await eventually(async () => sockets.o.of('task.available', offline.id).length, (n) => n === 1);
      expect(await dispatch.getJob(jobId.announceOpen(offline.id, 1))).toBeUndefined();
      await settled(t, Object.values(sockets));
      expect(sockets.p.of('task.available', offline.id)).toEqual([]);
    } finally {
      await t.http.put('/api/assistants/me/availability', { online: true }, { token: p.token });
      Object.values(sockets).forEach((s) => s.close());
    }
  });

  it('another organization gets 404, assistants 403, anonymous callers 401; nothing changes', async () => {
    const before = (await t.http.get(list(orgA()), { token: a.token })).body;
    const calls: [string, string][] = [
      ['GET', list(orgA())],
      ['PUT', one(orgA(), o.user.id)],
      ['DELETE', one(orgA(), p.user.id)],
    ];
    for (const [method, path] of calls) {
      expect([method, (await t.http.request(method, path, undefined, { token: b.token })).status]).toEqual([method, 404]);
      expect([method, (await t.http.request(method, path, undefined, { token: p.token })).status]).toEqual([method, 403]);
      expect([method, (await t.http.request(method, path)).status]).toEqual([method, 401]);
      expect([method, (await t.http.request(method, path.replace(orgA(), NO_ID), undefined, { token: admin.token })).status]).toEqual([method, 404]);
    }
    expect((await t.http.get(list(orgA()), { token: a.token })).body).toEqual(before);
  });

  it.each([
    ['an organization id that is not a UUID', 'GET', '/api/organizations/acme/preferred-assistants', /^id must be a UUID$/],
    ['an assistant id that is not a UUID (PUT)', 'PUT', `/api/organizations/${NO_ID}/preferred-assistants/pat`, /^assistantId must be a UUID$/],
    ['an assistant id that is not a UUID (DELETE)', 'DELETE', `/api/organizations/${NO_ID}/preferred-assistants/pat`, /^assistantId must be a UUID$/],
  ])('bad input: %s → 400 naming the field', async (_name, method, path, message) => {
    const res = await t.http.request(method, path, undefined, { token: a.token });
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
  });

  it.each([
    ['negative', -1, /^preferredHeadStartSeconds must be at least 0$/],
    ['a fraction', 1.5, /^preferredHeadStartSeconds must be a whole number of seconds$/],
    ['past a day', 86_401, /^preferredHeadStartSeconds must be at most 86400$/],
    ['text', '300', /^preferredHeadStartSeconds must be a number$/],
    ['null', null, /^preferredHeadStartSeconds must be a number$/],
  ])('bad input: a head start that is %s → 400 naming the field', async (_name, value, message) => {
    const res = await t.http.patch(`/api/organizations/${orgA()}/settings`, { preferredHeadStartSeconds: value }, { token: a.token });
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
  });
});

