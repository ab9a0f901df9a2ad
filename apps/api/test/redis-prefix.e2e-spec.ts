import { randomBytes } from 'node:crypto';
import { jobId } from '@handoff/contracts';
import { JobsService } from '../src/dispatch/jobs.service.js';
import { registerAssistant, registerClient } from './support/factories.js';
import { LiveClient } from './support/sockets.js';
import { act, eventually, submitTask } from './support/tasks.js';
import { deleteRedisPrefix, startTestApp, type TestApp } from './support/test-app.js';

// Redis Cluster keeps a multi-key command on one node only when every key has
// the same hash tag, so a deployment on a cluster sets REDIS_PREFIX={name}.
describe('a hash-tagged Redis prefix, as for Redis Cluster', () => {
  const tag = `{hoff${randomBytes(4).toString('hex')}}`;
  let t: TestApp;
  beforeAll(async () => {
    // A claim window inside the timer horizon, so the claim queues its expiry job at once.
    t = await startTestApp({ REDIS_PREFIX: tag, CLAIM_WINDOW: '5m' });
  });
  afterAll(async () => {
    await deleteRedisPrefix(t.redis, tag);
    await t.close();
  });

  it('keeps every key the platform writes under the tag, and works end to end', async () => {
    const client = await registerClient(t.http);
    const assistant = await registerAssistant(t.http, ['research']);
    await t.http.put('/api/assistants/me/availability', { online: true }, { token: assistant.token });
    const socket = await LiveClient.connect(t.url, assistant.token);
    try {
      const task = await submitTask(t.http, client, { category: 'research' });
      await eventually(async () => socket.of('task.available', task.id).length, (n) => n === 1);
      expect((await act(t.http, assistant, task.id, 'claim')).status).toBe(200);
      const timers = t.app.get(JobsService).queue('timers');
      await eventually(() => timers.getJob(jobId.claimExpiry(task.id, 2)), (j) => j !== undefined);
    } finally {
      socket.close();
    }
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await t.redis.scan(cursor, 'MATCH', `*${tag.slice(1, -1)}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThan(5);
    // Every key starts with the tag, so all of them hash to one slot.
    expect(keys.filter((k) => !k.startsWith(`${tag}:`))).toEqual([]);
    expect(keys.some((k) => k.startsWith(`${tag}:timers:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${tag}:rl:`))).toBe(true);
  });
});
