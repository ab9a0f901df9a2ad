import { SignJWT } from 'jose';
import type { JobPayloads } from '@handoff/contracts';
import { DispatchProcessor } from '../src/dispatch/dispatch.processor.js';
import { JobsService } from '../src/dispatch/jobs.service.js';
import { OutboxRelay } from '../src/events/outbox.relay.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { settled } from './support/settle.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('live events over Socket.IO', () => {
  let t: TestApp;
  const sockets: LiveClient[] = [];
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t.close();
  });

  const connect = async (s: Session) => {
    const c = await LiveClient.connect(t.url, s.token);
    sockets.push(c);
    return c;
  };
  // Relayed, announced and delivered, by what happened rather than a fixed pause a busy machine can outlast.
  const settle = () => settled(t, sockets);

  describe('the handshake', () => {
    it('refuses a socket without a token, with a bad one and with an expired one', async () => {
      await expect(LiveClient.connect(t.url, undefined)).rejects.toThrow(/unauthorized/);
      await expect(LiveClient.connect(t.url, 'not-a-jwt')).rejects.toThrow(/unauthorized/);
      const c = await registerClient(t.http);
      const expired = await new SignJWT({ role: 'client', tv: 0 })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(c.user.id)
        .setIssuer('handoff')
        .setAudience('handoff-api')
        .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
        .sign(new TextEncoder().encode(t.config.jwtSecret));
      await expect(LiveClient.connect(t.url, expired)).rejects.toThrow(/unauthorized/);
    });

    it('refuses a suspended user’s token', async () => {
      const admin = await loginAdmin(t.http, t.config);
      const a = await registerAssistant(t.http);
      await t.http.patch(`/api/users/${a.user.id}`, { suspended: true }, { token: admin.token });
      await expect(LiveClient.connect(t.url, a.token)).rejects.toThrow(/unauthorized/);
    });

    it('refuses a cross-site Origin that is not on the allow-list', async () => {
      const c = await registerClient(t.http);
      await expect(LiveClient.connect(t.url, c.token, { origin: 'https://evil.example' })).rejects.toThrow();
      const ok = await LiveClient.connect(t.url, c.token, { origin: t.url });
      ok.close();
    });
  });

  it('sends each role exactly the events it may see, once per transition', async () => {
    const owner = await registerClient(t.http);
    const otherOrg = await registerClient(t.http);
    const admin = await loginAdmin(t.http, t.config);
    const worker = await registerAssistant(t.http, ['bookkeeping']);
    const peer = await registerAssistant(t.http, ['bookkeeping']);
    const offline = await registerAssistant(t.http, ['bookkeeping']);
    const outsider = await registerAssistant(t.http, ['telemarketing']);
    for (const a of [worker, peer, outsider]) await t.http.put('/api/assistants/me/availability', { online: true }, { token: a.token });

    const [ownerS, otherOrgS, adminS, workerS, peerS, offlineS, outsiderS] = (await Promise.all(
      [owner, otherOrg, admin, worker, peer, offline, outsider].map(connect),
    )) as [LiveClient, LiveClient, LiveClient, LiveClient, LiveClient, LiveClient, LiveClient];

    const task = await submitTask(t.http, owner, { category: 'bookkeeping' });
    await eventually(async () => workerS.of('task.available', task.id).length, (n) => n === 1);
    await settle();
    // Announced to online assistants with the skill only.
    expect(peerS.of('task.available', task.id)).toHaveLength(1);
    expect(offlineS.of('task.available', task.id)).toHaveLength(0);
    expect(outsiderS.of('task.available', task.id)).toHaveLength(0);

    await act(t.http, worker, task.id, 'claim');
    await settle();
    expect(peerS.of('task.unavailable', task.id)).toHaveLength(1);
    expect(outsiderS.of('task.unavailable', task.id)).toHaveLength(0);

    await act(t.http, worker, task.id, 'start');
    await act(t.http, worker, task.id, 'return', { result: 'books balanced' });
    await act(t.http, owner, task.id, 'accept');
    await settle();

    const versions = (c: LiveClient) => c.of('task.updated', task.id).map((r) => r.payload.task.version as number);
    // The owner's organization and admins see every transition (coalesced into the newest snapshot when they land together).
    for (const c of [ownerS, adminS]) {
      const v = versions(c);
      expect(v.length).toBeGreaterThan(0);
      expect(new Set(v).size).toBe(v.length);
      expect(Math.max(...v)).toBe(5);
    }
    expect(Math.max(...versions(workerS))).toBe(5);
    // Nobody else hears anything about it.
    for (const c of [otherOrgS, peerS, offlineS, outsiderS]) expect(versions(c)).toEqual([]);
    for (const c of [otherOrgS, outsiderS]) expect(c.received.filter((r) => JSON.stringify(r.payload).includes(task.id))).toEqual([]);
    // An offline assistant with the skill may have it on its board, so it hears only that it is gone.
    expect(offlineS.received.filter((r) => JSON.stringify(r.payload).includes(task.id)).map((r) => r.event)).toEqual(['task.unavailable']);

    // Billing: the charge to the organization and admins, the payout to its assistant and admins.
    const billed = (c: LiveClient) => c.of('billing.recorded', task.id).map((r) => r.payload.entry.kind as string).sort();
    expect(billed(adminS)).toEqual(['charge', 'payout']);
    expect(billed(ownerS)).toEqual(['charge']);
    expect(billed(workerS)).toEqual(['payout']);
    for (const c of [otherOrgS, peerS, offlineS, outsiderS]) expect(billed(c)).toEqual([]);
  });

  it('delivers one transition once per socket, carrying the version it produced', async () => {
    const owner = await registerClient(t.http);
    const s = await connect(owner);
    const task = await submitTask(t.http, owner, { category: 'research' });
    await settle();
    await t.http.post(`/api/tasks/${task.id}/cancel`, undefined, { token: owner.token });
    await settle();
    const updates = s.of('task.updated', task.id).map((r) => r.payload.task);
    expect(updates.map((u: { version: number }) => u.version)).toEqual([1, 2]);
    expect(updates[1].status).toBe('cancelled');
  });

  it('does not send a snapshot again when an older change is relayed after a newer one', async () => {
    const owner = await registerClient(t.http);
    const s = await connect(owner);
    const task = await submitTask(t.http, owner, { category: 'research' });
    await settle();
    await t.http.post(`/api/tasks/${task.id}/cancel`, undefined, { token: owner.token });
    await settle();
    // The submit's outbox row once more, as when its batch reaches the relay after the cancel's
    // (another instance, or a relay that died before its DELETE committed): the row it reads is
    // already at version 2, which went out with the cancel's batch.
    await t.db.query(
      `INSERT INTO outbox (topic, payload)
       VALUES ('task', jsonb_build_object('taskId', $1::uuid, 'version', 1, 'action', 'submit', 'from', NULL, 'to', 'queued'))`,
      [task.id],
    );
    await settle();
    expect((await t.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n).toBe(0);
    expect(s.of('task.updated', task.id).map((r) => r.payload.task.version)).toEqual([1, 2]);
  });

  it('sends a batch’s events once however often the batch is handed over, when its jobs failed after the events went out', async () => {
    const owner = await registerClient(t.http);
    const admin = await loginAdmin(t.http, t.config);
    const [ownerS, adminS] = await Promise.all([owner, admin].map(connect));
    const relay = t.app.get(OutboxRelay);
    // A task committed as submit commits it, and in the same batch a row for a version no task has
    // had: the queue refuses the announce it calls for, so every attempt fails after its events.
    const { rows } = await t.db.query<{ id: string }>(
      `WITH t AS (
         INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency)
         VALUES ($1, $2, 'Handed over again', 'Follow the procedure.', 'research', 'normal', now() + interval '2 days', 2500, 'USD') RETURNING id),
       ob AS (
         INSERT INTO outbox (topic, payload)
         SELECT 'task', jsonb_build_object('taskId', id, 'version', v, 'action', 'submit', 'from', NULL, 'to', 'queued') FROM t, (VALUES (1), (0)) AS vs(v))
       SELECT id FROM t`,
      [owner.user.organizationId, owner.user.id],
    );
    const taskId = rows[0]!.id;
    for (let i = 0; i < 3; i++) await expect(relay.flush()).rejects.toThrow(/version/);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'taskId' = $1`, [taskId])).rows[0].n).toBe(2);

    await t.db.query(`DELETE FROM outbox WHERE payload->>'taskId' = $1 AND payload->>'version' = '0'`, [taskId]);
    await settle();
    expect((await t.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n).toBe(0);
    for (const s of [ownerS!, adminS!]) expect(s.of('task.updated', taskId).map((r) => r.payload.task.version)).toEqual([1]);
  });

  it('announces a relay batch with one job, to each assistant who can take each task, and a batch relayed twice with none', async () => {
    const owner = await registerClient(t.http);
    const payroll = await registerAssistant(t.http, ['payroll']);
    const documents = await registerAssistant(t.http, ['document_management']);
    for (const a of [payroll, documents]) await t.http.put('/api/assistants/me/availability', { online: true }, { token: a.token });
    const [payrollS, documentsS] = await Promise.all([payroll, documents].map(connect));
    // Committed as submit commits them, but together, so one relay batch holds them all; the last
    // was cancelled before the relay got to it.
    const { rows: tasks } = await t.db.query<{ id: string; category: string; status: string }>(
      `INSERT INTO tasks (organization_id, created_by, title, instructions, category, priority, deadline, price_cents, currency, status, version)
       SELECT $1, $2, 'Batch ' || g, 'Follow the procedure.', (CASE WHEN g % 2 = 0 THEN 'payroll' ELSE 'document_management' END)::task_category, 'normal',
              now() + interval '2 days', 2500, 'USD', (CASE WHEN g = 7 THEN 'cancelled' ELSE 'queued' END)::task_status, CASE WHEN g = 7 THEN 2 ELSE 1 END
         FROM generate_series(1, 7) g ORDER BY g
       RETURNING id, category, status`,
      [owner.user.organizationId, owner.user.id],
    );
    const relayBatch = () =>
      t.db.query(
        `INSERT INTO outbox (topic, payload)
         SELECT 'task', jsonb_build_object('taskId', id, 'version', 1, 'action', 'submit', 'from', NULL, 'to', 'queued') FROM unnest($1::uuid[]) AS id`,
        [tasks.map((x) => x.id)],
      );
    const dispatch = t.app.get(JobsService).queue('dispatch');
    const jobsCarrying = async () =>
      (await dispatch.getJobs(['completed', 'failed', 'active', 'waiting'])).filter((j) =>
        (j.data as JobPayloads['dispatch.announce']).tasks.some((x) => tasks.some((y) => y.id === x.taskId)),
      );
    const available = (c: LiveClient) => c.received.filter((r) => r.event === 'task.available' && tasks.some((x) => x.id === r.payload.task.id)).map((r) => r.payload.task.id as string);

    await relayBatch();
    await t.app.get(OutboxRelay).flush();
    const [job, ...more] = await eventually(jobsCarrying, (js) => js.length > 0 && js.every((j) => j.finishedOn !== undefined));
    expect(more).toEqual([]);
    expect(job!.data.tasks).toHaveLength(7);
    expect(job!.returnvalue).toEqual({ announced: 6, skipped: 1, deliveries: 6 });
    await settle();
    const queuedOf = (category: string) => tasks.filter((x) => x.category === category && x.status === 'queued').map((x) => x.id).sort();
    expect(available(payrollS!).sort()).toEqual(queuedOf('payroll'));
    expect(available(documentsS!).sort()).toEqual(queuedOf('document_management'));

    // The same rows once more (a relay that died before its DELETE committed): the same job id, so no second announce.
    await relayBatch();
    await settle();
    expect((await t.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n).toBe(0);
    expect(await jobsCarrying()).toHaveLength(1);
    expect(available(payrollS!)).toHaveLength(3);
    expect(available(documentsS!)).toHaveLength(3);
  });
  it('announces with the view the relay sent, and with the same view read again where the relay left none', async () => {
    const owner = await registerClient(t.http);
    const assistant = await registerAssistant(t.http, ['research']);
    await t.http.put('/api/assistants/me/availability', { online: true }, { token: assistant.token });
    const socket = await connect(assistant);
    const task = await submitTask(t.http, owner, { category: 'research' });
    await eventually(async () => socket.of('task.available', task.id).length, (n) => n === 1);

    // The relay's view was handed out once; announcing the same version again reads the task.
    const announcer = t.app.get(DispatchProcessor);
    expect(await announcer.announce([{ taskId: task.id, version: task.version }])).toEqual({ announced: 1, skipped: 0, deliveries: 1 });
    const [fromRelay, fromRead] = await eventually(async () => socket.of('task.available', task.id), (rs) => rs.length === 2);
    expect(fromRead!.payload).toEqual(fromRelay!.payload);
    expect(fromRelay!.payload.task).toMatchObject({ id: task.id, version: 1, status: 'queued', organizationName: expect.any(String) });

    // Claimed since: that version is no longer anyone's to take.
    await act(t.http, assistant, task.id, 'claim');
    expect(await announcer.announce([{ taskId: task.id, version: task.version }])).toEqual({ announced: 0, skipped: 1, deliveries: 0 });
  });
});
