import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { generateMessageId, generateSecret, verify } from './signing.js';
import { guardedLookup, UndeliverableTargetError } from './target-guard.js';
import { WebhookSender } from './webhook-sender.js';

interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback: records each request and answers as the test says. */
async function startReceiver(answer: (req: Received, res: http.ServerResponse) => void = (_r, res) => res.writeHead(204).end()) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks/handoff`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const event = (secrets = [generateSecret()]) => ({
  id: generateMessageId(),
  body: JSON.stringify({ type: 'task.returned', version: 3, timestamp: '2026-03-01T12:00:00Z', data: { taskId: 't1', title: '<b>x</b> ✓' } }),
  secrets,
});

describe('WebhookSender against a receiver on 127.0.0.1', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const senders: WebhookSender[] = [];
  const sender = (allowPrivate: boolean, timeoutMs = 5_000) => {
    const s = new WebhookSender({ allowPrivate, timeoutMs });
    senders.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of senders.splice(0)) s.close();
    await receiver?.close();
  });

  it('refuses the delivery when private targets are not allowed, and nothing reaches the receiver', async () => {
    receiver = await startReceiver();
    const strict = sender(false);
    const byAddress = await strict.deliver({ ...event(), url: receiver.url });
    expect(byAddress).toMatchObject({ outcome: 'refused_target', error: expect.stringContaining('loopback') });
    const byName = await strict.deliver({ ...event(), url: `http://localhost:${receiver.port}/hooks/handoff` });
    expect(byName).toMatchObject({ outcome: 'refused_target' });
    const mapped = await strict.deliver({ ...event(), url: `http://[::ffff:127.0.0.1]:${receiver.port}/` });
    expect(mapped).toMatchObject({ outcome: 'refused_target' });
    expect(receiver.received).toEqual([]);
  });

  it('refuses at connect time a name that resolves to a refused address, whatever was checked before', async () => {
    receiver = await startReceiver();
    // A plain agent with only the guarded lookup: no URL check ran, as after a DNS change.
    const agent = new http.Agent({ lookup: guardedLookup({ allowPrivate: false }) });
    const err = await new Promise<Error>((resolve) => {
      const req = http.request(`http://localhost:${receiver.port}/`, { method: 'POST', agent });
      req.once('error', resolve);
      req.once('response', () => resolve(new Error('connected')));
      req.end('{}');
    });
    agent.destroy();
    expect(err).toBeInstanceOf(UndeliverableTargetError);
    expect(err).toMatchObject({ code: 'EWEBHOOKTARGET', addressClass: 'loopback' });
    expect(receiver.received).toEqual([]);
  });

  it('delivers when private targets are allowed, signed so the receiver can verify it', async () => {
    receiver = await startReceiver();
    const secret = generateSecret();
    const e = event([secret]);
    const result = await sender(true).deliver({ ...e, url: receiver.url });
    expect(result).toMatchObject({ outcome: 'delivered', status: 204, responseBody: '' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);

    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received as [Received];
    expect(got).toMatchObject({ method: 'POST', path: '/hooks/handoff', body: e.body });
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['webhook-id']).toBe(e.id);
    expect(Number(got.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
    expect(verify({ headers: got.headers, body: got.body, secrets: secret })).toMatchObject({ id: e.id });
    // And with the reference library, as a receiver written by someone else would.
    expect(new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).toMatchObject({ type: 'task.returned', version: 3 });
  });

  it('works through a name too (localhost), when allowed', async () => {
    receiver = await startReceiver();
    const result = await sender(true).deliver({ ...event(), url: `http://localhost:${receiver.port}/x` });
    expect(result).toMatchObject({ outcome: 'delivered', status: 204 });
    expect(receiver.received).toHaveLength(1);
  });

  it('signs with the old and the new secret during a rotation', async () => {
    receiver = await startReceiver();
    const [older, newer] = [generateSecret(), generateSecret()];
    await sender(true).deliver({ ...event([newer, older]), url: receiver.url });
    const [got] = receiver.received as [Received];
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify({ headers: got.headers, body: got.body, secrets: older })).toBeTruthy();
    expect(verify({ headers: got.headers, body: got.body, secrets: newer })).toBeTruthy();
  });

  it('reports a non-2xx answer with its status and the start of its body', async () => {
    receiver = await startReceiver((_r, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('x'.repeat(100_000)));
    const result = await sender(true).deliver({ ...event(), url: receiver.url });
    expect(result).toMatchObject({ outcome: 'rejected', status: 500 });
    expect(result.responseBody).toBe('x'.repeat(4096));
  });

  it('does not follow a redirect (an answer like any other, so nobody can bounce it inward)', async () => {
    receiver = await startReceiver((r, res) => (r.path === '/hooks/handoff' ? res.writeHead(307, { location: '/elsewhere' }).end() : res.writeHead(204).end()));
    const result = await sender(true).deliver({ ...event(), url: receiver.url });
    expect(result).toMatchObject({ outcome: 'rejected', status: 307 });
    expect(receiver.received.map((r) => r.path)).toEqual(['/hooks/handoff']);
  });

  it('gives up on a receiver that never answers', async () => {
    receiver = await startReceiver(() => undefined);
    const result = await sender(true, 500).deliver({ ...event(), url: receiver.url });
    expect(result).toMatchObject({ outcome: 'timeout', error: 'no answer within 500 ms' });
  });

  it('reports a receiver that is down as a network error', async () => {
    receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    const result = await sender(true).deliver({ ...event(), url });
    expect(result).toMatchObject({ outcome: 'network_error', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses a URL that is not http(s) without sending anything', async () => {
    receiver = await startReceiver();
    expect(await sender(true).deliver({ ...event(), url: 'file:///etc/passwd' })).toMatchObject({ outcome: 'refused_target' });
    expect(receiver.received).toEqual([]);
  });
});
