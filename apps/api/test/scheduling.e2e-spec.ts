import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { REDIS } from '../src/redis/redis.module.js';
import { PERIODIC_QUEUE, PeriodicProcessor } from '../src/scheduling/periodic.processor.js';
import type { PeriodicRun } from '../src/scheduling/periodic-job.js';
import { TimerSweep } from '../src/timers/timer-sweep.js';
import { eventually } from './support/tasks.js';
import { startTestApp, startTestWorker, type TestApp } from './support/test-app.js';

/** Counts the runs of one instance's timer sweep by the period each was for, and lets a test make a run fail. */
function countRuns(ctx: INestApplicationContext, who: string, runs: { who: string; period: number }[], failOnce: Set<number>) {
  const sweep = ctx.get(TimerSweep, { strict: false });
  const real = sweep.run.bind(sweep);
  Object.assign(sweep, {
    run: async (at: PeriodicRun) => {
      runs.push({ who, period: at.period.getTime() });
      if (failOnce.delete(at.period.getTime())) throw new Error('refused once for the test');
      return real();
    },
  });
}

describe('periodic jobs run on BullMQ job schedulers', () => {
  let app: TestApp;
  let worker: Awaited<ReturnType<typeof startTestWorker>>;
  let periodic: Queue;
  const runs: { who: string; period: number }[] = [];
  const failOnce = new Set<number>();
  beforeAll(async () => {
    // A one-second horizon sweeps every 500 ms: many periods in a short test, on two worker instances of one prefix.
    app = await startTestApp({ TIMER_HORIZON: '1s' });
    worker = await startTestWorker(app, { TIMER_HORIZON: '1s' });
    countRuns(app.app, 'app', runs, failOnce);
    countRuns(worker.ctx, 'worker', runs, failOnce);
    periodic = app.app.get<Queue>(getQueueToken(PERIODIC_QUEUE), { strict: false });
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
  });

  const completed = async () => (await periodic.getCompleted(0, -1)).filter((j) => j.name === 'timers.sweep');

  it('two worker instances on one Redis prefix run a scheduled job once per period', async () => {
    const periods = () => new Set(runs.map((r) => r.period)).size;
    // Registered again meanwhile, as a restart or a Redis reconnect does, by both instances.
    for (let i = 0; i < 3; i++) {
      await Promise.all([app.app.get(PeriodicProcessor).register(), worker.ctx.get(PeriodicProcessor, { strict: false }).register()]);
      await eventually(async () => periods(), (n) => n > i * 3);
    }
    await eventually(async () => periods(), (n) => n >= 10);
    const byPeriod = new Map<number, number>();
    for (const r of runs) byPeriod.set(r.period, (byPeriod.get(r.period) ?? 0) + 1);
    // No period ran twice, whichever instance took it.
    expect([...byPeriod.values()].filter((n) => n !== 1)).toEqual([]);
    // Each run is one job of the scheduler, named by its period's slot on the 500 ms grid.
    const ids = new Set((await completed()).map((j) => j.id));
    const seen = [...byPeriod.keys()].slice(0, -2);
    for (const period of seen) expect(ids.has(`repeat:timers.sweep:${period}`)).toBe(true);
    const slots = [...byPeriod.keys()].sort((a, b) => a - b);
    for (let i = 1; i < slots.length; i++) expect((slots[i]! - slots[0]!) % 500).toBe(0);
    expect(await periodic.getJobSchedulersCount()).toBe(3);
  });

  it('retries a run that failed, as any job, and still runs its period once', async () => {
    const next = (await periodic.getJobs(['delayed'])).find((j) => j.name === 'timers.sweep');
    const slot = Number(next!.id!.split(':').at(-1));
    failOnce.add(slot);
    const job = await eventually(() => periodic.getJob(next!.id!), (j) => j !== undefined && j.finishedOn !== undefined && j.returnvalue !== null);
    expect(await job!.getState()).toBe('completed');
    expect(job!.attemptsMade).toBe(2);
    expect(runs.filter((r) => r.period === slot)).toHaveLength(2);
    expect(job!.returnvalue).toEqual({ queued: expect.any(Number) });
  });

  it('registers a scheduler again when Redis is back without it, and removes one no job names', async () => {
    // One an older build registered; its first run an hour off, so no worker here is handed it meanwhile.
    await periodic.upsertJobScheduler('gone.job', { every: 3_600_000, startDate: Date.now() + 3_600_000 }, { name: 'gone.job' });
    // As a Redis that restarted without its data: the scheduler is gone until a worker hears `ready`.
    expect(await periodic.removeJobScheduler('timers.sweep')).toBe(true);
    app.app.get<Redis>(REDIS).emit('ready');
    const back = await eventually(() => periodic.getJobScheduler('timers.sweep'), (s) => s !== undefined);
    expect(back).toMatchObject({ every: 500 });
    expect(await eventually(() => periodic.getJobScheduler('gone.job'), (s) => s === undefined)).toBeUndefined();
    expect((await periodic.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(['maintenance.sweep', 'schedules.due', 'timers.sweep']);
  });
});
