import type { NotificationPage, WebhookDeliveryView, WebhookMessage, WebhookView, WebhookWithSecret } from '@handoff/contracts';
import { verify } from '../src/webhooks/signing.js';
import { loginAdmin, registerAssistant, registerClient, type Session } from './support/factories.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { WebhookReceiver, type Received } from './support/webhook-receiver.js';

const NO_ID = '00000000-0000-4000-8000-000000000000';
// Retries come fast here; what is checked is their order and outcome, never how long they took.
const FAST_RETRIES = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE: '50', WEBHOOK_RETRY_MAX_DELAY: '200', WEBHOOK_RETRY_WINDOW: '10m' };

/** Every request verifies under Standard Webhooks with one of the secrets, and its body's id is its webhook-id. */
function expectSigned(requests: readonly Received[], secrets: string | string[]): WebhookMessage[] {
  return requests.map((r) => {
    const { id } = verify({ headers: r.headers as Record<string, string>, body: r.body, secrets });
    const message = JSON.parse(r.body) as WebhookMessage;
    expect(message.id).toBe(id);
    expect(r.headers['content-type']).toBe('application/json');
    return message;
  });
}

async function deliveries(t: TestApp, s: Session, id: string, query = ''): Promise<WebhookDeliveryView[]> {
  const res = await t.http.get<{ items: WebhookDeliveryView[] }>(`/api/webhooks/${id}/deliveries${query}`, { token: s.token });
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('webhooks: endpoints, signed deliveries, retries, the delivery log', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let admin: Session;
  let a: Session;
  let b: Session;
  let assistant: Session;
  let endpoint: WebhookWithSecret;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp(FAST_RETRIES);
    admin = await loginAdmin(t.http, t.config);
    a = await registerClient(t.http);
    b = await registerClient(t.http);
    assistant = await registerAssistant(t.http, ['data_entry']);
    await t.http.put('/api/assistants/me/availability', { online: true }, { token: assistant.token });
    const res = await t.http.post<WebhookWithSecret>(
      '/api/webhooks',
      { url: receiver.url('/a'), events: ['task.submitted', 'task.claimed', 'task.returned', 'task.accepted', 'ledger.recorded'], description: 'ops board' },
      { token: a.token },
    );
    expect(res.status).toBe(201);
    endpoint = res.body;
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('shows the secret once, seals it at rest, and never returns it again', async () => {
    expect(endpoint).toMatchObject({ organizationId: a.user.organizationId, url: receiver.url('/a'), enabled: true, disabled: null, failingSince: null, description: 'ops board' });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    const got = await t.http.get<WebhookView>(`/api/webhooks/${endpoint.id}`, { token: a.token });
    expect(got.status).toBe(200);
    expect(got.text).not.toContain(endpoint.secret.slice(6));
    expect(got.body).not.toHaveProperty('secret');
    const list = await t.http.get(`/api/webhooks`, { token: a.token });
    expect(list.body.items.map((e: WebhookView) => e.id)).toEqual([endpoint.id]);
    expect(list.text).not.toContain(endpoint.secret.slice(6));
    const { rows } = await t.db.query(`SELECT secret_sealed FROM webhook_endpoints WHERE id = $1`, [endpoint.id]);
    expect(rows[0].secret_sealed).toMatch(/^v1\./);
    expect(rows[0].secret_sealed).not.toContain(endpoint.secret.slice(6));
  });

  it('delivers the events it subscribed to, signed, with the event id and task version, and logs each', async () => {
    const task = await submitTask(t.http, a, { title: 'Webhook task' });
    for (const step of ['claim', 'start']) expect((await act(t.http, assistant, task.id, step)).status).toBe(200);
    expect((await act(t.http, assistant, task.id, 'return', { result: 'done' })).status).toBe(200);
    expect((await act(t.http, a, task.id, 'accept')).status).toBe(200);
    // submitted, claimed, returned, accepted and the charge (the payout is the assistant's: not the organization's)
    const got = await eventually(async () => receiver.at('/a').filter((r) => r.body.includes(task.id)), (l) => l.length >= 5);
    const messages = expectSigned(got, endpoint.secret);
    expect(messages.map((m) => m.type).sort()).toEqual(['ledger.recorded', 'task.accepted', 'task.claimed', 'task.returned', 'task.submitted']);
    const versions = Object.fromEntries(messages.filter((m) => m.type !== 'ledger.recorded').map((m) => [m.type, m.data.version]));
    expect(versions).toEqual({ 'task.submitted': 1, 'task.claimed': 2, 'task.returned': 4, 'task.accepted': 5 });
    expect(messages.find((m) => m.type === 'ledger.recorded')!.data).toMatchObject({ kind: 'charge', taskId: task.id, organizationId: a.user.organizationId });
    expect(new Set(messages.map((m) => m.id)).size).toBe(5);
    const log = await eventually(() => deliveries(t, a, endpoint.id), (l) => l.filter((d) => d.requestBody.includes(task.id) && d.status === 'delivered').length === 5);
    for (const d of log.filter((x) => x.requestBody.includes(task.id))) {
      expect(d).toMatchObject({ status: 'delivered', attempts: 1, responseStatus: 200, responseBody: 'ok', nextRetryAt: null, error: null });
      expect(d.messageId).toBe(JSON.parse(d.requestBody).id);
      expect(d.log).toEqual([{ attempt: 1, outcome: 'delivered', responseStatus: 200, durationMs: expect.any(Number), error: null, at: expect.any(String) }]);
    }
    // Nothing carries the secret.
    expect(got.map((r) => r.body).join('')).not.toContain(endpoint.secret.slice(6));
  });

  it('keeps organizations apart; the platform’s endpoint hears every organization', async () => {
    const ofB = await t.http.post<WebhookWithSecret>('/api/webhooks', { url: receiver.url('/b'), events: ['task.submitted'] }, { token: b.token });
    const platform = await t.http.post<WebhookWithSecret>('/api/webhooks', { url: receiver.url('/platform'), events: ['task.submitted', 'ledger.recorded'] }, { token: admin.token });
    expect([ofB.status, platform.status]).toEqual([201, 201]);
    expect(platform.body.organizationId).toBeNull();
    const task = await submitTask(t.http, a, { title: 'Seen by the platform' });
    const mine = await submitTask(t.http, b, { title: 'B only' });
    const atPlatform = await eventually(async () => receiver.at('/platform'), (l) => l.some((r) => r.body.includes(task.id)) && l.some((r) => r.body.includes(mine.id)));
    expectSigned(atPlatform, platform.body.secret);
    await eventually(async () => receiver.at('/b'), (l) => l.some((r) => r.body.includes(mine.id)));
    await eventually(async () => receiver.at('/a'), (l) => l.some((r) => r.body.includes(task.id)));
    expect(receiver.at('/b').some((r) => r.body.includes(task.id))).toBe(false);
    expect(receiver.at('/a').some((r) => r.body.includes(mine.id))).toBe(false);
    // Lists: each owner sees its own.
    expect((await t.http.get('/api/webhooks', { token: b.token })).body.items.map((e: WebhookView) => e.id)).toEqual([ofB.body.id]);
    expect((await t.http.get('/api/webhooks', { token: admin.token })).body.items.map((e: WebhookView) => e.id)).toEqual([platform.body.id]);
  });

  it('retries a receiver that answers 500 until it is back; every attempt has the same webhook-id', async () => {
    const flaky = await t.http.post<WebhookWithSecret>('/api/webhooks', { url: receiver.url('/flaky'), events: ['task.submitted'] }, { token: a.token });
    receiver.answer('/flaky', (n) => (n < 3 ? 500 : 200));
    const task = await submitTask(t.http, a, { title: 'Flaky receiver' });
    const got = await eventually(async () => receiver.at('/flaky'), (l) => l.some((r) => r.status === 200));
    expect(got.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    const messages = expectSigned(got, flaky.body.secret);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(messages.every((m) => m.data.taskId === task.id && m.data.version === 1)).toBe(true);
    const [d] = await eventually(() => deliveries(t, a, flaky.body.id), (l) => l[0]?.status === 'delivered');
    expect(d).toMatchObject({ status: 'delivered', attempts: 4, responseStatus: 200, nextRetryAt: null });
    expect(d!.log.map((x) => [x.attempt, x.outcome, x.responseStatus])).toEqual([
      [1, 'rejected', 500],
      [2, 'rejected', 500],
      [3, 'rejected', 500],
      [4, 'delivered', 200],
    ]);
    // Back to health: the failure streak ended with the success.
    expect((await t.http.get<WebhookView>(`/api/webhooks/${flaky.body.id}`, { token: a.token })).body.failingSince).toBeNull();
  });

  it('redelivers by hand with the same body and webhook-id; pings are signed and logged', async () => {
    const [d] = await deliveries(t, a, endpoint.id, '?limit=1&status=delivered');
    const before = receiver.at('/a').length;
    const res = await t.http.post<WebhookDeliveryView>(`/api/webhooks/${endpoint.id}/deliveries/${d!.id}/redeliver`, undefined, { token: a.token });
    expect([res.status, res.body.status]).toEqual([202, 'pending']);
    const again = await eventually(async () => receiver.at('/a').slice(before), (l) => l.some((r) => r.headers['webhook-id'] === d!.messageId));
    const copy = again.find((r) => r.headers['webhook-id'] === d!.messageId)!;
    expect(copy.body).toBe(d!.requestBody);
    expectSigned([copy], endpoint.secret);
    const after = await eventually(() => deliveries(t, a, endpoint.id), (l) => l.find((x) => x.id === d!.id)?.attempts === d!.attempts + 1);
    expect(after.find((x) => x.id === d!.id)!.status).toBe('delivered');

    // Concurrent redeliveries of one delivery: while one is under way the others are told so. One that
    // arrives after it was delivered again is a new redelivery, so each 202 is one more attempt, never two.
    const atOnce = await Promise.all(Array.from({ length: 6 }, () => t.http.post(`/api/webhooks/${endpoint.id}/deliveries/${d!.id}/redeliver`, undefined, { token: a.token })));
    const accepted = atOnce.filter((r) => r.status === 202).length;
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect(atOnce.filter((r) => r.status !== 202).map((r) => r.status)).toEqual(Array(6 - accepted).fill(409));
    await eventually(() => deliveries(t, a, endpoint.id), (l) => l.find((x) => x.id === d!.id)?.status === 'delivered');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM webhook_attempts WHERE delivery_id = $1`, [d!.id]);
    expect(rows[0].n).toBe(d!.attempts + 1 + accepted);

    const ping = await t.http.post<WebhookDeliveryView>(`/api/webhooks/${endpoint.id}/ping`, undefined, { token: a.token });
    expect([ping.status, ping.body.event]).toEqual([202, 'webhook.ping']);
    const got = await eventually(async () => receiver.at('/a'), (l) => l.some((r) => r.headers['webhook-id'] === ping.body.messageId));
    const [message] = expectSigned(got.filter((r) => r.headers['webhook-id'] === ping.body.messageId), endpoint.secret);
    expect(message).toMatchObject({ type: 'webhook.ping', data: { endpointId: endpoint.id } });
    await eventually(() => deliveries(t, a, endpoint.id), (l) => l.find((x) => x.id === ping.body.id)?.status === 'delivered');
  });

  it('rotates the secret: shown once, and the old one signs beside it for a day', async () => {
    const res = await t.http.post<WebhookWithSecret>(`/api/webhooks/${endpoint.id}/rotate-secret`, undefined, { token: a.token });
    expect(res.status).toBe(200);
    expect(res.body.secret).toMatch(/^whsec_/);
    expect(res.body.secret).not.toBe(endpoint.secret);
    const ping = await t.http.post<WebhookDeliveryView>(`/api/webhooks/${endpoint.id}/ping`, undefined, { token: a.token });
    const [got] = await eventually(async () => receiver.at('/a').filter((r) => r.headers['webhook-id'] === ping.body.messageId), (l) => l.length === 1);
    expect(String(got!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expectSigned([got!], res.body.secret);
    expectSigned([got!], endpoint.secret);
    expect((await t.http.get(`/api/webhooks/${endpoint.id}`, { token: a.token })).text).not.toContain(res.body.secret.slice(6));
    endpoint = { ...endpoint, secret: res.body.secret };
  });

  it('changes and deletes an endpoint; a deleted one gets nothing more', async () => {
    const e = await t.http.post<WebhookWithSecret>('/api/webhooks', { url: receiver.url('/gone'), events: ['task.submitted'] }, { token: a.token });
    const changed = await t.http.patch<WebhookView>(`/api/webhooks/${e.body.id}`, { events: ['task.claimed', 'task.submitted'], description: 'two' }, { token: a.token });
    expect(changed.body).toMatchObject({ events: ['task.claimed', 'task.submitted'], description: 'two', url: receiver.url('/gone') });
    const off = await t.http.patch<WebhookView>(`/api/webhooks/${e.body.id}`, { enabled: false }, { token: a.token });
    expect(off.body).toMatchObject({ enabled: false, disabled: { reason: 'turned off by its owner' } });
    expect((await t.http.request('DELETE', `/api/webhooks/${e.body.id}`, undefined, { token: a.token })).status).toBe(204);
    expect((await t.http.get(`/api/webhooks/${e.body.id}`, { token: a.token })).status).toBe(404);
    const task = await submitTask(t.http, a, { title: 'After the delete' });
    await eventually(async () => receiver.at('/a'), (l) => l.some((r) => r.body.includes(task.id)));
    expect(receiver.at('/gone')).toEqual([]);
  });

  it('another organization gets 404, assistants 403, anonymous callers 401; the platform’s endpoints are not a client’s', async () => {
    const [d] = await deliveries(t, a, endpoint.id, '?limit=1');
    const platform = (await t.http.get('/api/webhooks', { token: admin.token })).body.items[0] as WebhookView;
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/webhooks/${endpoint.id}`],
      ['PATCH', `/api/webhooks/${endpoint.id}`, { description: 'taken over' }],
      ['DELETE', `/api/webhooks/${endpoint.id}`],
      ['POST', `/api/webhooks/${endpoint.id}/rotate-secret`],
      ['GET', `/api/webhooks/${endpoint.id}/deliveries`],
      ['POST', `/api/webhooks/${endpoint.id}/deliveries/${d!.id}/redeliver`],
      ['POST', `/api/webhooks/${endpoint.id}/ping`],
    ];
    const before = receiver.received.length;
    for (const [method, path, body] of routes) {
      expect({ path, method, status: (await t.http.request(method, path, body, { token: b.token })).status }).toEqual({ path, method, status: 404 });
      expect({ path, method, status: (await t.http.request(method, path, body, { token: admin.token })).status }).toEqual({ path, method, status: 404 });
      expect({ path, method, status: (await t.http.request(method, path, body, { token: assistant.token })).status }).toEqual({ path, method, status: 403 });
      expect({ path, method, status: (await t.http.request(method, path, body)).status }).toEqual({ path, method, status: 401 });
      const other = path.replace(endpoint.id, platform.id);
      expect({ other, method, status: (await t.http.request(method, other, body, { token: a.token })).status }).toEqual({ other, method, status: 404 });
      const none = path.replace(endpoint.id, NO_ID);
      expect({ none, method, status: (await t.http.request(method, none, body, { token: a.token })).status }).toEqual({ none, method, status: 404 });
    }
    for (const [method, path] of [['GET', '/api/webhooks'], ['POST', '/api/webhooks']] as const) {
      expect((await t.http.request(method, path, method === 'POST' ? { url: receiver.url('/x'), events: ['task.submitted'] } : undefined, { token: assistant.token })).status).toBe(403);
    }
    // Nothing moved: still A's, enabled, same description, and no ping went out.
    expect((await t.http.get<WebhookView>(`/api/webhooks/${endpoint.id}`, { token: a.token })).body).toMatchObject({ enabled: true, description: 'ops board' });
    expect(receiver.received.slice(before).filter((r) => r.path === '/a' && r.body.includes('webhook.ping'))).toEqual([]);
    // A delivery of another endpoint is not found under this one.
    const flaky = (await t.http.get('/api/webhooks', { token: a.token })).body.items.find((e: WebhookView) => e.url.endsWith('/flaky')) as WebhookView;
    expect((await t.http.post(`/api/webhooks/${flaky.id}/deliveries/${d!.id}/redeliver`, undefined, { token: a.token })).status).toBe(404);
  });

  type Case = [name: string, body: unknown, message: RegExp];
  const cases: Case[] = [
    ['empty body', {}, /^url is required$/],
    ['body is an array', [1], /^body must be a JSON object$/],
    ['unknown field', { url: 'http://127.0.0.1:1/x', events: ['task.submitted'], secret: 'whsec_mine' }, /^secret is not allowed$/],
    ['url missing', { events: ['task.submitted'] }, /^url is required$/],
    ['url not a string', { url: 42, events: ['task.submitted'] }, /^url must be a string$/],
    ['url empty', { url: '', events: ['task.submitted'] }, /^url must not be empty$/],
    ['url not a URL', { url: 'not a url', events: ['task.submitted'] }, /^url must be an http:\/\/ or https:\/\/ URL$/],
    ['url of another scheme', { url: 'ftp://example.com/x', events: ['task.submitted'] }, /^url must be an http:\/\/ or https:\/\/ URL$/],
    ['url with a password', { url: 'https://u:p@example.com/x', events: ['task.submitted'] }, /^url must not carry a user name or password$/],
    ['url too long', { url: `https://example.com/${'x'.repeat(2_000)}`, events: ['task.submitted'] }, /^url must be at most 2000 characters$/],
    ['url with NUL', { url: 'https://example.com/\u0000', events: ['task.submitted'] }, /^url must not contain the NUL character/],
    ['events missing', { url: 'http://127.0.0.1:1/x' }, /^events is required$/],
    ['events not a list', { url: 'http://127.0.0.1:1/x', events: 'task.submitted' }, /^events must be a list of event names$/],
    ['events empty', { url: 'http://127.0.0.1:1/x', events: [] }, /^events must name at least one event$/],
    ['an unknown event', { url: 'http://127.0.0.1:1/x', events: ['task.exploded'] }, /^events\.0 must be one of task\.submitted/],
    ['an event twice', { url: 'http://127.0.0.1:1/x', events: ['task.claimed', 'task.claimed'] }, /^events must not repeat an event$/],
    ['the ping as an event', { url: 'http://127.0.0.1:1/x', events: ['webhook.ping'] }, /^events\.0 must be one of/],
    ['description too long', { url: 'http://127.0.0.1:1/x', events: ['task.submitted'], description: 'd'.repeat(501) }, /^description must be at most 500 characters$/],
    ['description not a string', { url: 'http://127.0.0.1:1/x', events: ['task.submitted'], description: 7 }, /^description must be a string$/],
  ];

  it.each(cases)('bad input on create: %s → 400 naming the field', async (_name, body, message) => {
    const res = await t.http.post('/api/webhooks', body, { token: a.token });
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
  });

  it('bad input on the other routes → 400 naming the field', async () => {
    const checks: [string, string, unknown, RegExp][] = [
      ['PATCH', `/api/webhooks/${endpoint.id}`, {}, /^body must change at least one of url, events, description, enabled$/],
      ['PATCH', `/api/webhooks/${endpoint.id}`, { enabled: 'yes' }, /^enabled must be true or false$/],
      ['PATCH', `/api/webhooks/${endpoint.id}`, { events: [] }, /^events must name at least one event$/],
      ['PATCH', `/api/webhooks/${endpoint.id}`, { url: 'gopher://x' }, /^url must be an http:\/\/ or https:\/\/ URL$/],
      ['GET', '/api/webhooks/acme', undefined, /^id must be a UUID$/],
      ['GET', `/api/webhooks/${endpoint.id}/deliveries?status=lost`, undefined, /^status must be one of pending, retrying, delivered, failed$/],
      ['GET', `/api/webhooks/${endpoint.id}/deliveries?limit=0`, undefined, /^limit must be at least 1$/],
      ['GET', `/api/webhooks/${endpoint.id}/deliveries?cursor=zzz`, undefined, /^cursor is invalid$/],
      ['GET', '/api/webhooks?limit=x', undefined, /^limit must be a number$/],
      ['POST', `/api/webhooks/${endpoint.id}/deliveries/nope/redeliver`, undefined, /^deliveryId must be a UUID$/],
      ['POST', '/api/webhooks/nope/ping', undefined, /^id must be a UUID$/],
    ];
    for (const [method, path, body, message] of checks) {
      const res = await t.http.request(method, path, body, { token: a.token });
      expect({ path, status: res.status, message: res.body.message }).toEqual({ path, status: 400, message: expect.stringMatching(message) });
    }
    expect((await t.http.get<WebhookView>(`/api/webhooks/${endpoint.id}`, { token: a.token })).body.events).toHaveLength(5);
  });
});

describe('webhooks: an endpoint failing for the whole window is disabled', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let a: Session;
  let stranger: Session;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp({ ...FAST_RETRIES, WEBHOOK_DISABLE_AFTER: '500' });
    a = await registerClient(t.http);
    stranger = await registerClient(t.http);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('retries until the failure window is over, then disables it and says why; turning it on clears that', async () => {
    receiver.answer('/down', () => 500);
    const e = await t.http.post<WebhookWithSecret>('/api/webhooks', { url: receiver.url('/down'), events: ['task.submitted'] }, { token: a.token });
    const task = await submitTask(t.http, a);
    const off = await eventually(async () => (await t.http.get<WebhookView>(`/api/webhooks/${e.body.id}`, { token: a.token })).body, (v) => !v.enabled);
    expect(off).toMatchObject({ enabled: false, disabled: { at: expect.any(String), reason: expect.stringMatching(/^every delivery failed for/) }, failingSince: expect.any(String) });
    // Its owner is told once, in the inbox (and by e-mail, the kind's default); another organization hears nothing.
    const told = await eventually(
      async () => (await t.http.get<NotificationPage>('/api/notifications', { token: a.token })).body.items.filter((n) => n.kind === 'webhook_disabled'),
      (l) => l.length > 0,
    );
    expect(told).toEqual([expect.objectContaining({ taskId: null, link: null, body: expect.stringContaining(receiver.url('/down')) })]);
    expect(told[0]!.body).toMatch(/every delivery failed for/);
    expect((await t.http.get<NotificationPage>('/api/notifications', { token: stranger.token })).body.items).toEqual([]);
    const [d] = await eventually(() => deliveries(t, a, e.body.id), (l) => l[0]?.status === 'failed');
    expect(d).toMatchObject({ status: 'failed', responseStatus: 500, nextRetryAt: null });
    expect(d!.attempts).toBeGreaterThan(1);
    const got = receiver.at('/down');
    expectSigned(got, e.body.secret);
    expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([d!.messageId]));
    expect(got.every((r) => JSON.parse(r.body).data.taskId === task.id)).toBe(true);
    // A disabled endpoint hears nothing new.
    const later = await submitTask(t.http, a);
    const other = await t.http.post<WebhookWithSecret>('/api/webhooks', { url: receiver.url('/up'), events: ['task.submitted'] }, { token: a.token });
    const last = await submitTask(t.http, a);
    await eventually(async () => receiver.at('/up'), (l) => l.some((r) => r.body.includes(last.id)));
    expect(receiver.at('/down').some((r) => r.body.includes(later.id) || r.body.includes(last.id))).toBe(false);
    expect(other.status).toBe(201);
    // Back on: the flag and the streak are cleared, and a redelivery goes through.
    receiver.answer('/down', () => 200);
    const on = await t.http.patch<WebhookView>(`/api/webhooks/${e.body.id}`, { enabled: true }, { token: a.token });
    expect(on.body).toMatchObject({ enabled: true, disabled: null, failingSince: null });
    expect((await t.http.post(`/api/webhooks/${e.body.id}/deliveries/${d!.id}/redeliver`, undefined, { token: a.token })).status).toBe(202);
    await eventually(() => deliveries(t, a, e.body.id), (l) => l.find((x) => x.id === d!.id)?.status === 'delivered');
  });
});

describe('webhooks: targets on private, loopback and link-local addresses are refused by default', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let a: Session;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp({ WEBHOOK_RETRY_BASE: '50', WEBHOOK_RETRY_MAX_DELAY: '200', WEBHOOK_RETRY_WINDOW: '1s' });
    a = await registerClient(t.http);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const refused: [string, string][] = [
    ['loopback', 'http://127.0.0.1:8080/hook'],
    ['loopback, elsewhere in 127/8', 'http://127.1.2.3/hook'],
    ['loopback written as a number', 'http://2130706433/hook'],
    ['loopback in hex', 'http://0x7f.0.0.1/hook'],
    ['localhost', 'http://localhost:3000/hook'],
    ['a name under localhost', 'http://api.localhost/hook'],
    ['IPv6 loopback', 'http://[::1]/hook'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['private 10/8', 'https://10.0.0.5/hook'],
    ['private 172.16/12', 'https://172.20.1.1/hook'],
    ['private 192.168/16', 'https://192.168.1.10/hook'],
    ['link-local (instance metadata)', 'http://169.254.169.254/latest/meta-data'],
    ['IPv6 link-local', 'http://[fe80::1]/hook'],
    ['IPv6 unique local', 'http://[fd00::1]/hook'],
    ['CGNAT', 'http://100.64.0.1/hook'],
    ['unspecified', 'http://0.0.0.0/hook'],
  ];

  it.each(refused)('%s: %s → 400 naming url', async (_name, url) => {
    const res = await t.http.post('/api/webhooks', { url, events: ['task.submitted'] }, { token: a.token });
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(/^url is refused: .*public addresses only$/) });
  });

  it('refuses the same on a change of URL, and accepts a public address', async () => {
    const ok = await t.http.post<WebhookWithSecret>('/api/webhooks', { url: 'https://93.184.215.14/hook', events: ['task.submitted'] }, { token: a.token });
    expect(ok.status).toBe(201);
    const res = await t.http.patch(`/api/webhooks/${ok.body.id}`, { url: 'http://169.254.169.254/' }, { token: a.token });
    expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(/^url is refused: 169\.254\.169\.254 is a link-local address/)]);
    expect((await t.http.get<WebhookView>(`/api/webhooks/${ok.body.id}`, { token: a.token })).body.url).toBe('https://93.184.215.14/hook');
    await t.http.request('DELETE', `/api/webhooks/${ok.body.id}`, undefined, { token: a.token });
  });

  it('checks again when sending: an endpoint that now points inward is not sent to', async () => {
    const e = await t.http.post<WebhookWithSecret>('/api/webhooks', { url: 'https://93.184.215.14/hook', events: ['task.submitted'] }, { token: a.token });
    // As if its name had been re-pointed at this machine after registration.
    await t.db.query(`UPDATE webhook_endpoints SET url = $2 WHERE id = $1`, [e.body.id, receiver.url('/inward')]);
    await submitTask(t.http, a);
    const [d] = await eventually(() => deliveries(t, a, e.body.id), (l) => l[0]?.status === 'failed');
    expect(d!.log.every((x) => x.outcome === 'refused_target' && x.responseStatus === null)).toBe(true);
    expect(d!.error).toMatch(/loopback address; webhooks go to public addresses only/);
    expect(receiver.received).toEqual([]);
  });
});
