import type { TaskRow } from './task-row.js';
import { SubmitBatcher, submission, submitParams, type Submission } from './submit-batch.js';

const body = (title: string) => ({ title, instructions: 'Do it.', category: 'research' as const, priority: 'high' as const, deadline: '2030-01-01T00:00:00.000Z' });
const sub = (title: string) => submission({ organizationId: 'org', id: 'user' }, body(title));
const row = (s: Submission) => ({ id: s.id, title: s.body.title }) as unknown as TaskRow;

/** A `run` whose statements finish when the test says so. */
function statements() {
  const calls: { subs: Submission[]; finish: (rows?: TaskRow[]) => void; fail: (e: Error) => void }[] = [];
  const run = (subs: Submission[]) =>
    new Promise<TaskRow[]>((resolve, reject) => calls.push({ subs, finish: (rows) => resolve(rows ?? subs.map(row)), fail: reject }));
  return { calls, run };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('SubmitBatcher', () => {
  it('sends a submission alone at once, and the ones that arrive while the lanes are busy together', async () => {
    const s = statements();
    const b = new SubmitBatcher(s.run, 2);
    const first = b.submit(sub('a'));
    const second = b.submit(sub('b'));
    const rest = ['c', 'd', 'e'].map((t) => b.submit(sub(t)));
    expect(s.calls.map((c) => c.subs.map((x) => x.body.title))).toEqual([['a'], ['b']]);
    s.calls[0]!.finish();
    expect((await first)?.title).toBe('a');
    await tick();
    expect(s.calls.map((c) => c.subs.map((x) => x.body.title))).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    s.calls[1]!.finish();
    s.calls[2]!.finish();
    expect((await second)?.title).toBe('b');
    expect((await Promise.all(rest)).map((r) => r?.title)).toEqual(['c', 'd', 'e']);
  });

  it('caps a statement at maxBatch submissions', async () => {
    const s = statements();
    const b = new SubmitBatcher(s.run, 1, 2);
    const all = ['a', 'b', 'c', 'd'].map((t) => b.submit(sub(t)));
    s.calls[0]!.finish();
    await tick();
    s.calls[1]!.finish();
    await tick();
    s.calls[2]!.finish();
    await Promise.all(all);
    expect(s.calls.map((c) => c.subs.length)).toEqual([1, 2, 1]);
  });

  it('answers undefined to a submission the statement inserted no row for (no rate)', async () => {
    const s = statements();
    const b = new SubmitBatcher(s.run, 1);
    const p = b.submit(sub('a'));
    s.calls[0]!.finish([]);
    expect(await p).toBeUndefined();
  });

  it('sends each submission of a failed statement again alone, so only the bad one fails', async () => {
    const s = statements();
    const b = new SubmitBatcher(s.run, 1);
    const blocker = b.submit(sub('first'));
    const batch = ['ok1', 'bad', 'ok2'].map((t) => b.submit(sub(t)));
    s.calls[0]!.finish();
    await blocker;
    await tick();
    s.calls[1]!.fail(new Error('poison'));
    for (let i = 0; i < 3 && s.calls.length < 5; i++) await tick();
    expect(s.calls.slice(2).map((c) => c.subs.map((x) => x.body.title))).toEqual([['ok1'], ['bad'], ['ok2']]);
    s.calls[2]!.finish();
    s.calls[3]!.fail(new Error('poison'));
    s.calls[4]!.finish();
    const settled = await Promise.allSettled(batch);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('rejects a submission that failed alone without sending it twice', async () => {
    const s = statements();
    const b = new SubmitBatcher(s.run, 2);
    const p = b.submit(sub('a'));
    s.calls[0]!.fail(new Error('down'));
    await expect(p).rejects.toThrow('down');
    expect(s.calls).toHaveLength(1);
  });
});

describe('submitParams', () => {
  it('gives one array per column, one entry per submission, with the priority multiplier', () => {
    const a = sub('a');
    const b = sub('b');
    const cols = submitParams([a, b]);
    expect(cols).toHaveLength(9);
    expect(cols[0]).toEqual([a.id, b.id]);
    expect(cols[3]).toEqual(['a', 'b']);
    expect(cols[8]).toEqual([12_500, 12_500]);
    expect(a.id).not.toBe(b.id);
  });
});
