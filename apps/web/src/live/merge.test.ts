import { describe, expect, it } from 'vitest';
import { ORG, task } from '../test/fixtures';
import {
  compareAvailable,
  mergeTask,
  removeFromAvailable,
  taskBelongs,
  tasksIn,
  upsertIntoAvailable,
  upsertIntoPages,
  VersionBook,
  type PagedTasks,
} from './merge';

const paged = (...items: ReturnType<typeof task>[]): PagedTasks => ({ pages: [{ items, nextCursor: null }], pageParams: [undefined] });
const all = () => true;

describe('mergeTask', () => {
  it('takes a newer version', () => {
    const v1 = task({ version: 1 });
    const v2 = task({ version: 2, status: 'claimed' });
    expect(mergeTask(v1, v2)).toBe(v2);
  });

  it('never rolls back to an older version', () => {
    const v3 = task({ version: 3, status: 'in_progress' });
    expect(mergeTask(v3, task({ version: 2, status: 'claimed' }))).toBe(v3);
  });

  it('keeps the same object for a duplicate, so nothing re-renders', () => {
    const v2 = task({ version: 2, status: 'claimed' });
    expect(mergeTask(v2, task({ version: 2, status: 'claimed' }))).toBe(v2);
  });

  it('ends on the highest version whatever the arrival order', () => {
    const versions = [task({ version: 1 }), task({ version: 2, status: 'claimed' }), task({ version: 3, status: 'in_progress' }), task({ version: 4, status: 'returned' })];
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [1, 3, 3, 0, 2, 1],
    ];
    for (const order of orders) {
      const final = order.reduce<ReturnType<typeof task> | undefined>((acc, i) => mergeTask(acc, versions[i]!), undefined);
      expect(final?.version).toBe(4);
      expect(final?.status).toBe('returned');
    }
  });

  it('keeps the loaded history when an event snapshot has none', () => {
    const events = [{ id: 'e1', action: 'create', fromStatus: null, toStatus: 'queued' as const, actorId: null, actorRole: 'client', note: null, createdAt: new Date().toISOString() }];
    const merged = mergeTask(task({ version: 1, events }), task({ version: 2, status: 'claimed' }));
    expect(merged.status).toBe('claimed');
    expect(merged.events).toEqual(events);
  });
});

describe('upsertIntoPages', () => {
  it('replaces a task in place with a newer version and ignores an older one', () => {
    const data = paged(task({ id: 'a', version: 2, status: 'claimed' }), task({ id: 'b' }));
    const newer = upsertIntoPages(data, task({ id: 'a', version: 3, status: 'in_progress' }), all)!;
    expect(newer.pages[0]!.items.map((t) => [t.id, t.status])).toEqual([
      ['a', 'in_progress'],
      ['b', 'queued'],
    ]);
    expect(upsertIntoPages(newer, task({ id: 'a', version: 2, status: 'claimed' }), all)).toBe(newer);
  });

  it('adds a new task at the top when it belongs to the list', () => {
    const data = paged(task({ id: 'b' }));
    const next = upsertIntoPages(data, task({ id: 'a' }), all)!;
    expect(next.pages[0]!.items.map((t) => t.id)).toEqual(['a', 'b']);
  });

  it('drops a task that moved out of a filtered list, and does not bring it back with a late event', () => {
    const book = new VersionBook();
    const queuedOnly = (t: ReturnType<typeof task>) => t.status === 'queued';
    const data = paged(task({ id: 'a', version: 1 }));
    book.observe('a', 1);
    const claimed = task({ id: 'a', version: 2, status: 'claimed' });
    const afterClaim = upsertIntoPages(data, claimed, queuedOnly, book)!;
    book.observe('a', 2);
    expect(afterClaim.pages[0]!.items).toHaveLength(0);
    // The "queued" snapshot (v1) arrives late: it must not resurrect the task.
    expect(upsertIntoPages(afterClaim, task({ id: 'a', version: 1 }), queuedOnly, book)).toBe(afterClaim);
  });

  it('leaves an unloaded list alone', () => {
    expect(upsertIntoPages(undefined, task(), all)).toBeUndefined();
  });
});

describe('taskBelongs', () => {
  it('scopes a client to its organization, an assistant to its assignments, and applies filters', () => {
    const t = task({ status: 'claimed', assigneeId: 'asst-1' });
    expect(taskBelongs(t, { role: 'client', userId: 'c', organizationId: ORG })).toBe(true);
    expect(taskBelongs(t, { role: 'client', userId: 'c', organizationId: 'other' })).toBe(false);
    expect(taskBelongs(t, { role: 'assistant', userId: 'asst-1' })).toBe(true);
    expect(taskBelongs(t, { role: 'assistant', userId: 'asst-2' })).toBe(false);
    expect(taskBelongs(t, { role: 'admin', userId: 'x', status: 'queued' })).toBe(false);
    expect(taskBelongs(t, { role: 'admin', userId: 'x', category: 'bookkeeping' })).toBe(true);
  });
});

describe('available board', () => {
  it('adds queued tasks in priority, deadline, age order', () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const later = new Date(Date.now() + 7_200_000).toISOString();
    let list: ReturnType<typeof task>[] | undefined = [];
    list = upsertIntoAvailable(list, task({ id: 'normal-later', deadline: later }));
    list = upsertIntoAvailable(list, task({ id: 'urgent', priority: 'urgent', deadline: later }));
    list = upsertIntoAvailable(list, task({ id: 'normal-soon', deadline: soon }));
    expect(list!.map((t) => t.id)).toEqual(['urgent', 'normal-soon', 'normal-later']);
    expect([...list!].sort(compareAvailable).map((t) => t.id)).toEqual(list!.map((t) => t.id));
  });

  it('removes on task.unavailable only when the board copy is older', () => {
    const list = [task({ id: 'a', version: 1 })];
    expect(removeFromAvailable(list, 'a', 2)).toEqual([]);
    expect(removeFromAvailable(list, 'a', 1)).toBe(list);
  });

  it('removes a task whose newer snapshot is no longer queued, and ignores stale queued snapshots', () => {
    const book = new VersionBook();
    const list = [task({ id: 'a', version: 1 })];
    const after = upsertIntoAvailable(list, task({ id: 'a', version: 2, status: 'claimed' }), book)!;
    book.observe('a', 2);
    expect(after).toEqual([]);
    expect(upsertIntoAvailable(after, task({ id: 'a', version: 1 }), book)).toBe(after);
    // Released back to the queue: a genuinely newer queued snapshot returns.
    expect(upsertIntoAvailable(after, task({ id: 'a', version: 3 }), book)!.map((t) => t.version)).toEqual([3]);
  });
});

describe('VersionBook and tasksIn', () => {
  it('reports only strictly newer versions as news', () => {
    const book = new VersionBook();
    expect(book.observe('a', 2)).toBe(true);
    expect(book.observe('a', 2)).toBe(false);
    expect(book.observe('a', 1)).toBe(false);
    expect(book.isOutdated('a', 1)).toBe(true);
    expect(book.isOutdated('a', 2)).toBe(false);
  });

  it('finds tasks in every cached shape', () => {
    const t = task();
    expect(tasksIn(t)).toEqual([t]);
    expect(tasksIn([t])).toEqual([t]);
    expect(tasksIn(paged(t))).toEqual([t]);
    expect(tasksIn({ items: [t], nextCursor: null })).toEqual([]);
    expect(tasksIn(null)).toEqual([]);
  });
});
