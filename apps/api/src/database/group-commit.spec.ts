import { GroupCommit } from './group-commit.js';

/** A `run` whose statements finish when the test says so; by default each item's answer is its name in capitals. */
function statements() {
  const calls: { items: string[]; finish: (outs?: (string | undefined)[]) => void; fail: (e: Error) => void }[] = [];
  const run = (items: string[]) =>
    new Promise<(string | undefined)[]>((resolve, reject) =>
      calls.push({ items, finish: (outs) => resolve(outs ?? items.map((x) => x.toUpperCase())), fail: reject }),
    );
  return { calls, run };
}
const tick = () => new Promise((r) => setImmediate(r));

/** Items that arrive while one lane is busy, so they go together as the second statement, now sent. */
async function behindOne(s: ReturnType<typeof statements>, g: GroupCommit<string, string | undefined>, items: string[]) {
  const blocker = g.add('first');
  const batch = items.map((x) => g.add(x));
  s.calls[0]!.finish();
  await blocker;
  await tick();
  return batch;
}

describe('GroupCommit', () => {
  it('sends an item alone at once, and the ones that arrive while the lanes are busy together', async () => {
    const s = statements();
    const g = new GroupCommit(s.run, 2);
    const first = g.add('a');
    const second = g.add('b');
    const rest = ['c', 'd', 'e'].map((x) => g.add(x));
    expect(s.calls.map((c) => c.items)).toEqual([['a'], ['b']]);
    s.calls[0]!.finish();
    expect(await first).toBe('A');
    await tick();
    expect(s.calls.map((c) => c.items)).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    s.calls[1]!.finish();
    s.calls[2]!.finish();
    expect(await second).toBe('B');
    expect(await Promise.all(rest)).toEqual(['C', 'D', 'E']);
  });

  it('counts the items handed in and not answered yet, waiting or under way', async () => {
    const s = statements();
    const g = new GroupCommit(s.run, 1);
    const all = ['a', 'b', 'c'].map((x) => g.add(x));
    expect(g.size).toBe(3);
    s.calls[0]!.finish();
    await all[0];
    await tick();
    expect(s.calls.map((c) => c.items)).toEqual([['a'], ['b', 'c']]);
    expect(g.size).toBe(2);
    s.calls[1]!.finish();
    await Promise.all(all);
    await tick();
    expect(g.size).toBe(0);
  });

  it('caps a statement at maxBatch items', async () => {
    const s = statements();
    const g = new GroupCommit(s.run, 1, 2);
    const all = ['a', 'b', 'c', 'd'].map((x) => g.add(x));
    s.calls[0]!.finish();
    await tick();
    s.calls[1]!.finish();
    await tick();
    s.calls[2]!.finish();
    await Promise.all(all);
    expect(s.calls.map((c) => c.items.length)).toEqual([1, 2, 1]);
  });

  it('gives each caller the answer at its own position, undefined included', async () => {
    const s = statements();
    const batch = await behindOne(s, new GroupCommit(s.run, 1), ['a', 'b', 'c']);
    s.calls[1]!.finish(['A', undefined, 'C']);
    expect(await Promise.all(batch)).toEqual(['A', undefined, 'C']);
  });

  it('sends each item of a failed statement again alone, so only the bad one fails', async () => {
    const s = statements();
    const batch = await behindOne(s, new GroupCommit(s.run, 1), ['ok1', 'bad', 'ok2']);
    s.calls[1]!.fail(new Error('poison'));
    for (let i = 0; i < 3 && s.calls.length < 5; i++) await tick();
    expect(s.calls.slice(2).map((c) => c.items)).toEqual([['ok1'], ['bad'], ['ok2']]);
    s.calls[2]!.finish();
    s.calls[3]!.fail(new Error('poison'));
    s.calls[4]!.finish();
    const settled = await Promise.allSettled(batch);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('rejects an item that failed alone without sending it twice', async () => {
    const s = statements();
    const g = new GroupCommit(s.run, 2);
    const p = g.add('a');
    s.calls[0]!.fail(new Error('down'));
    await expect(p).rejects.toThrow('down');
    expect(s.calls).toHaveLength(1);
  });
});
