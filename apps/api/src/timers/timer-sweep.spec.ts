import { sweepEveryMs, timerJob } from './timer-sweep.js';

describe('the timer sweep', () => {
  it('runs every half horizon, but at least hourly', () => {
    expect(sweepEveryMs(10 * 60_000)).toBe(5 * 60_000);
    expect(sweepEveryMs(2 * 3_600_000)).toBe(3_600_000);
    // However long the horizon, an hour at most between sweeps.
    expect(sweepEveryMs(90 * 86_400_000)).toBe(3_600_000);
  });

  it('names each timer job by its deterministic id and delays it to its due time', () => {
    const taskId = '5f0c6a52-0a35-4d8c-9d55-3f1c6f1f2a10';
    const now = 1_000_000;
    expect(timerJob({ kind: 'deadline', taskId, version: 3, due: now + 5_000 }, now)).toEqual({
      name: 'timers.deadline',
      payload: { taskId },
      jobId: `deadline/${taskId}`,
      delay: 5_000,
    });
    expect(timerJob({ kind: 'claim-expiry', taskId, version: 3, due: now - 10 }, now)).toMatchObject({
      name: 'timers.claim-expiry',
      payload: { taskId, version: 3 },
      jobId: `claim-expiry/${taskId}/3`,
      delay: -10,
    });
    expect(timerJob({ kind: 'escalation', taskId, version: 1, due: now }, now).jobId).toBe(`escalation/${taskId}/1`);
    expect(timerJob({ kind: 'auto-accept', taskId, version: 4, due: now }, now).jobId).toBe(`auto-accept/${taskId}/4`);
  });
});
