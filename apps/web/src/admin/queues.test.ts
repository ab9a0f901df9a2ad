import { describe, expect, it } from 'vitest';
import { failingQueues, normalizeQueueStats, normalizeQueues } from './queues';

describe('normalizeQueues', () => {
  const dispatch = { name: 'dispatch', waiting: 2, active: 1, delayed: 0, failed: 3 };
  it('accepts the envelopes an admin endpoint may use', () => {
    expect(normalizeQueues([dispatch])).toEqual([dispatch]);
    expect(normalizeQueues({ queues: [dispatch] })).toEqual([dispatch]);
    expect(normalizeQueues([{ name: 'dispatch', counts: { waiting: 2, active: 1, delayed: 0, failed: 3 } }])).toEqual([dispatch]);
    expect(normalizeQueues({ dispatch: { waiting: 2, active: 1, delayed: 0, failed: 3 } })).toEqual([dispatch]);
    expect(normalizeQueues({ queues: { dispatch: { waiting: 2, active: 1, delayed: 0, failed: 3 } } })).toEqual([dispatch]);
  });
  it('yields nothing for nothing', () => {
    expect(normalizeQueues(null)).toEqual([]);
    expect(normalizeQueues('x')).toEqual([]);
  });
});

describe('normalizeQueueStats', () => {
  it('reads the task counts and flags the API reports next to the queues', () => {
    const stats = normalizeQueueStats({
      queues: [{ name: 'timers', waiting: 0, active: 0, delayed: 11, failed: 0, completed: 0 }],
      tasks: { queued: 2, accepted: 1 },
      overdue: 1,
      escalated: 0,
      outboxPending: 3,
    });
    expect(stats.queues).toEqual([{ name: 'timers', waiting: 0, active: 0, delayed: 11, failed: 0 }]);
    expect(stats.taskCounts).toEqual({ queued: 2, accepted: 1 });
    expect([stats.overdue, stats.escalated, stats.outboxPending]).toEqual([1, 0, 3]);
  });

  it('falls back to queues only', () => {
    const stats = normalizeQueueStats([{ name: 'dispatch', waiting: 1, active: 0, delayed: 0, failed: 0 }]);
    expect(stats.queues).toHaveLength(1);
    expect(stats.taskCounts).toBeNull();
    expect(stats.overdue).toBeNull();
  });
});

describe('failingQueues', () => {
  it('keeps the known queues that have failures', () => {
    const rows = normalizeQueues([
      { name: 'dispatch', failed: 2 },
      { name: 'timers', failed: 0 },
      { name: 'queue', failed: 5 },
    ]);
    expect(failingQueues(rows).map((q) => q.name)).toEqual(['dispatch']);
  });
});
