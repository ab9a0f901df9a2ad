import { announceJobId, taskIdsOf } from './jobs.service.js';

describe('announceJobId', () => {
  const a = { taskId: '6f1c1a52-5d3e-4c39-9b0e-0d6c7c1e2a11', version: 1 };
  const b = { taskId: '0b7e4f0e-2f5a-4d7e-8a53-2c3f0c1d9e22', version: 3 };

  it('names a batch by the task versions it carries, whatever their order', () => {
    expect(announceJobId([a, b])).toBe(announceJobId([b, a]));
    expect(announceJobId([a, b])).toMatch(/^announce\/[\w-]+$/);
  });

  it('gives another version or another set of tasks another id', () => {
    expect(announceJobId([a, { ...b, version: 4 }])).not.toBe(announceJobId([a, b]));
    expect(announceJobId([a])).not.toBe(announceJobId([a, b]));
  });
});

describe('taskIdsOf', () => {
  it('reads the tasks of an announce batch and the task of a timer', () => {
    expect(taskIdsOf({ tasks: [{ taskId: 'a', version: 1 }, { taskId: 'b', version: 2 }] })).toEqual(['a', 'b']);
    expect(taskIdsOf({ taskId: 'c', version: 3 })).toEqual(['c']);
  });

  it('finds nothing in a payload of another shape, rather than failing the listing', () => {
    expect(taskIdsOf(null)).toEqual([]);
    expect(taskIdsOf({ tasks: [null, { taskId: 7 }, { taskId: 'd' }] })).toEqual(['d']);
    expect(taskIdsOf('garbage')).toEqual([]);
  });
});
