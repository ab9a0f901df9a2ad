import { DOMAIN_EVENT_NAMES, type AnyDomainEvent } from '../src/events/domain-events.js';
import { EventBus } from '../src/events/event-bus.js';
import { OutboxRelay } from '../src/events/outbox.relay.js';
import { loginAdmin, registerAssistant, registerClient } from './support/factories.js';
import { act, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('domain events', () => {
  let t: TestApp;
  const heard: AnyDomainEvent[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(EventBus).subscribe({ name: 'test-recorder', events: DOMAIN_EVENT_NAMES, handle: async (b) => void heard.push(...b.events) });
  });
  afterAll(async () => {
    await t?.close();
  });
  const relay = () => t.app.get(OutboxRelay).flush();
  const of = (taskId: string) => heard.filter((e) => ('taskId' in e.payload ? e.payload.taskId === taskId : false));

  it('every committed change publishes its typed event, with who made it', async () => {
    const client = await registerClient(t.http);
    const assistant = await registerAssistant(t.http, ['research']);
    const task = await submitTask(t.http, client, { category: 'research' });
    expect((await t.http.post('/api/tasks/claim-next', undefined, { token: assistant.token })).status).toBe(200);
    for (const action of ['start', 'return'] as const) expect((await act(t.http, assistant, task.id, action, action === 'return' ? { result: 'Done.' } : undefined)).status).toBe(200);
    expect((await act(t.http, client, task.id, 'accept')).status).toBe(200);
    await relay();

    const moves = of(task.id).map((e) => (e.name === 'task.transitioned' ? [e.name, e.payload.action, e.payload.from, e.payload.to, e.payload.actor] : [e.name, (e.payload as { version?: number }).version, e.payload]));
    expect(moves).toEqual([
      ['task.submitted', 1, { taskId: task.id, version: 1, actor: { id: client.user.id, role: 'client' } }],
      ['task.transitioned', 'claim', 'queued', 'claimed', { id: assistant.user.id, role: 'assistant' }],
      ['task.transitioned', 'start', 'claimed', 'in_progress', { id: assistant.user.id, role: 'assistant' }],
      ['task.transitioned', 'return', 'in_progress', 'returned', { id: assistant.user.id, role: 'assistant' }],
      ['task.transitioned', 'accept', 'returned', 'accepted', { id: client.user.id, role: 'client' }],
    ]);
    // The return's charge and payout, and an admin's correction, each as ledger.recorded.
    const entries = async () => (await t.db.query<{ id: string }>(`SELECT id FROM ledger_entries WHERE task_id = $1 ORDER BY created_at, id`, [task.id])).rows.map((r) => r.id);
    const admin = await loginAdmin(t.http, t.config);
    expect((await t.http.post('/api/billing/adjustments', { taskId: task.id, kind: 'refund', amountCents: 1, reason: 'a test correction' }, { token: admin.token })).status).toBe(201);
    await relay();
    const recorded = heard.filter((e) => e.name === 'ledger.recorded').map((e) => (e.payload as { entryId: string }).entryId);
    expect(await entries()).toHaveLength(3);
    for (const id of await entries()) expect(recorded.filter((r) => r === id)).toHaveLength(1);
  });

  it('a subscriber takes each event once while the relay hands its batch over again for another that fails', async () => {
    let failing = true;
    const failed: string[] = [];
    const took: string[] = [];
    const bus = t.app.get(EventBus);
    bus.subscribe({
      name: 'test-failing',
      events: ['task.submitted'],
      handle: async (b) => {
        failed.push(...b.events.map((e) => e.id));
        if (failing) throw new Error('not now');
      },
    });
    bus.subscribe({ name: 'test-counting', events: ['task.submitted'], handle: async (b) => void took.push(...b.events.map((e) => e.id)) });

    const client = await registerClient(t.http);
    const task = await submitTask(t.http, client);
    await expect(relay()).rejects.toThrow('not now');
    await expect(relay()).rejects.toThrow('not now');
    expect((await t.db.query(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'taskId' = $1`, [task.id])).rows[0].n).toBe(1);
    failing = false;
    await relay();

    const submitted = of(task.id).find((e) => e.name === 'task.submitted')!;
    expect(took.filter((id) => id === submitted.id)).toHaveLength(1);
    expect(heard.filter((e) => e.id === submitted.id)).toHaveLength(1);
    expect(failed.filter((id) => id === submitted.id).length).toBeGreaterThanOrEqual(3);
    // Once the rows are gone, so are their delivery marks.
    expect((await t.db.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n).toBe(0);
    expect(await t.redis.hlen(`${t.config.redisPrefix}:relay:taken`)).toBe(0);
  });
});
