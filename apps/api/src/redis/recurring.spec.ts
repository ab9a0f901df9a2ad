import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { Recurring } from './recurring.js';

const tick = () => new Promise((r) => setImmediate(r));
const quiet = { warn: () => {} };

/** Work that finishes only when the test says so, counting its runs. */
function gatedWork() {
  const state = { runs: 0, release: () => {} };
  const work = () => {
    state.runs++;
    return new Promise<void>((resolve) => (state.release = resolve));
  };
  return { state, work };
}

describe('Recurring', () => {
  const redis = () => new EventEmitter() as unknown as Redis;

  it('runs at start, and calls made during a run become exactly one more run', async () => {
    const { state, work } = gatedWork();
    const loop = new Recurring(redis(), 60_000, work, quiet, 'work');
    loop.start();
    expect(state.runs).toBe(1);
    loop.kick();
    loop.kick();
    loop.kick();
    expect(state.runs).toBe(1);
    state.release();
    await tick();
    expect(state.runs).toBe(2);
    state.release();
    await tick();
    expect(state.runs).toBe(2);
    await loop.stop();
  });

  it('runs when Redis is ready again, and no more once stopped', async () => {
    const r = redis();
    let runs = 0;
    const loop = new Recurring(r, 60_000, async () => void runs++, quiet, 'work');
    loop.start();
    await loop.idle();
    r.emit('ready');
    await loop.idle();
    expect(runs).toBe(2);
    await loop.stop();
    r.emit('ready');
    loop.kick();
    await loop.idle();
    expect(runs).toBe(2);
    expect(loop.isStopped).toBe(true);
  });

  it('runs on its interval, and logs a failed run without stopping', async () => {
    const warnings: string[] = [];
    let runs = 0;
    const work = async () => {
      runs++;
      if (runs === 1) throw new Error('first run fails');
    };
    const loop = new Recurring(redis(), 20, work, { warn: (m) => warnings.push(m) }, 'the sweep');
    loop.start();
    // Three runs: the one at start (which fails) and two on the interval, however late a busy machine fires it.
    while (runs < 3) await new Promise((r) => setTimeout(r, 20));
    await loop.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(warnings).toEqual(['the sweep failed, will retry: first run fails']);
  });

  it('stop waits for the run under way', async () => {
    const { state, work } = gatedWork();
    const loop = new Recurring(redis(), 60_000, work, quiet, 'work');
    loop.start();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false);
    state.release();
    await stopping;
    expect(stopped).toBe(true);
  });
});
