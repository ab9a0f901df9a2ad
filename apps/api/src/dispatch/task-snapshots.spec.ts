import type { TaskView } from '@handoff/contracts';
import { TaskSnapshots } from './task-snapshots.js';

const view = (id: string, version: number) => ({ id, version, status: 'queued' }) as TaskView;

describe('TaskSnapshots', () => {
  it('hands a view out once, for its own version only', () => {
    const s = new TaskSnapshots();
    s.keep(view('a', 1));
    expect(s.take('a', 2)).toBeUndefined();
    expect(s.take('a', 1)).toEqual(view('a', 1));
    expect(s.take('a', 1)).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('keeps at most `max` views, dropping the oldest first', () => {
    const s = new TaskSnapshots(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) s.keep(view(id, 1));
    expect(s.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => s.take(id, 1)?.id)).toEqual([undefined, undefined, 'c', 'd', 'e']);
  });

  it('keeps nothing with a max of 0 (a process that runs no announce)', () => {
    const s = new TaskSnapshots(0);
    s.keep(view('a', 1));
    expect([s.size, s.take('a', 1)]).toEqual([0, undefined]);
  });
});
