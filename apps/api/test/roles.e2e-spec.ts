import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DispatchProcessor } from '../src/dispatch/dispatch.processor.js';
import { JobsService } from '../src/dispatch/jobs.service.js';
import { TaskSnapshots } from '../src/dispatch/task-snapshots.js';
import { registerAssistant, registerClient } from './support/factories.js';
import { LiveClient } from './support/sockets.js';
import { act, announceState, eventually, submitTask } from './support/tasks.js';
import { startTestApp, startTestWorker, type TestApp } from './support/test-app.js';

describe('roles: an api process and a separate worker process', () => {
  let api: TestApp;
  let worker: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    api = await startTestApp({ HANDOFF_ROLE: 'api', CLAIM_WINDOW: '500ms' });
    worker = await startTestWorker(api, { CLAIM_WINDOW: '500ms' });
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  it('the api process runs no processors; the worker announces through Redis to sockets held by the api', async () => {
    // Exactly one dispatch worker is connected for this prefix: the worker process's.
    const dispatch = api.app.get(JobsService).queue('dispatch');
    expect(await eventually(() => dispatch.getWorkersCount(), (n) => n > 0)).toBe(1);
    const processor = worker.ctx.get(DispatchProcessor, { strict: false });
    expect(processor).toBeInstanceOf(DispatchProcessor);
    // Workers wait out a Redis outage on their own connection; the producers' fail fast and auto-pipeline.
    const connection = processor.worker.opts.connection as { enableOfflineQueue?: boolean; enableAutoPipelining?: boolean; maxRetriesPerRequest?: number | null };
    expect([connection.enableOfflineQueue, connection.enableAutoPipelining, connection.maxRetriesPerRequest]).toEqual([undefined, undefined, null]);
    const client = await registerClient(api.http);
    const assistant = await registerAssistant(api.http, ['scheduling']);
    await api.http.put('/api/assistants/me/availability', { online: true }, { token: assistant.token });
    const socket = await LiveClient.connect(api.url, assistant.token);
    try {
      const task = await submitTask(api.http, client, { category: 'scheduling' });
      await eventually(async () => socket.of('task.available', task.id).length, (n) => n === 1);
      // The api process relayed it but runs no announce, so it kept no view for one.
      expect(api.app.get(TaskSnapshots).size).toBe(0);
      // The claim-expiry timer fires in the worker process too.
      await act(api.http, assistant, task.id, 'claim');
      const back = await eventually(() => api.http.get(`/api/tasks/${task.id}`, { token: client.token }).then((r) => r.body), (x) => x.status === 'queued');
      expect(back.events.at(-1).action).toBe('expire');
      expect(['missing', 'completed']).toContain(await announceState(api.app.get(JobsService).queue('dispatch'), task.id, 1));
    } finally {
      socket.close();
    }
  });
});

describe('graceful shutdown of the built processes', () => {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  let t: TestApp;
  const BOOT_WITHIN_MS = 120_000;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['worker', { HANDOFF_ROLE: 'worker' }, /Handoff worker is running/],
    ['api', { HANDOFF_ROLE: 'api', PORT: '0', HOST: '127.0.0.1' }, /Handoff is serving/],
  ] as const)('the %s exits 0 soon after SIGTERM', async (_role, env, ready) => {
    expect(existsSync(main)).toBe(true);
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, JWT_SECRET: t.config.jwtSecret, DATABASE_URL: t.config.databaseUrl, REDIS_URL: t.config.redisUrl, REDIS_PREFIX: t.config.redisPrefix, LOG_LEVEL: 'warn', SERVE_WEB: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // A built process booting beside the rest of the suite: at load 18 it took over 30 s.
    await eventually(async () => out, (o) => ready.test(o) || child.exitCode !== null, BOOT_WITHIN_MS);
    expect(out).toMatch(ready);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    // 0 means it closed everything in order: a close that hangs ends in exit 1 at the shutdown ceiling.
    expect(code).toBe(0);
    expect(out).toMatch(/SIGTERM received: shutting down/);
  }, BOOT_WITHIN_MS + 60_000);
});
