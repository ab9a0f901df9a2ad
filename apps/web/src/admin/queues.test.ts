import { describe, expect, it } from 'vitest';
import { normalizeQueues } from './queues';

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
