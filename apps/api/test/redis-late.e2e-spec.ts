import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { LiveEvents } from '../src/realtime/live-events.js';
import { loginAdmin } from './support/factories.js';
import { LiveClient } from './support/sockets.js';
import { eventually } from './support/tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

/** A port that refuses connections until `open()`, then forwards them to the suite's Redis: Redis away, then back. */
async function lateRedis(): Promise<{ url: string; open(): Promise<void>; close(): Promise<void> }> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    async open() {
      server = createServer((inbound) => {
        const outbound = connectTcp(Number(REDIS.port || 6379), REDIS.hostname);
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => sockets.delete(s));
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => (server ? server.close(r) : r(undefined)));
    },
  };
}

describe('an instance started while Redis was away', () => {
  let up: TestApp;
  let late: TestApp;
  let redis: Awaited<ReturnType<typeof lateRedis>>;
  beforeAll(async () => {
    up = await startTestApp();
    redis = await lateRedis();
    // API only: what its sockets hear comes from the other instance, through Redis.
    late = await startTestApp({ REDIS_URL: redis.url, HANDOFF_ROLE: 'api' }, { shareWith: up });
  });
  afterAll(async () => {
    await late?.close();
    await up?.close();
    await redis?.close();
  });

  it('rejects nothing while Redis stays away, then hears the other instances once it is back', async () => {
    // Away long enough for every client to have tried, and given up on what it gives up on, several times
    // (a subscription that gave up was never made again, and its rejection reached nobody).
    await new Promise((r) => setTimeout(r, 5_000));
    expect((await late.http.get('/api/health')).body).toMatchObject({ redis: 'down' });
    await redis.open();
    await eventually(() => late.http.get('/api/health'), (r) => r.status === 200);

    const admin = await loginAdmin(up.http, up.config);
    const socket = await LiveClient.connect(late.url, admin.token);
    try {
      // Emitted by the other instance, which holds no socket: only Redis can carry it here. Sent until it
      // arrives, since the subscription is made when the connection comes back, not at a moment we can see.
      const taskId = '00000000-0000-4000-8000-00000000beef';
      await eventually(
        async () => {
          up.app.get(LiveEvents).emit(['admins'], 'task.unavailable', { taskId, version: 1 });
          return socket.of('task.unavailable', taskId).length;
        },
        (n) => n > 0,
        undefined,
        250,
      );
    } finally {
      socket.close();
    }
  });
});
