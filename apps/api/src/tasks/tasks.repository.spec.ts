import type { Move } from './moves.js';
import { EFFECTS, submission, submitParams, toTask, transitionSql } from './tasks.repository.js';

const body = (title: string) => ({ title, instructions: 'Do it.', category: 'research' as const, priority: 'high' as const, deadline: '2030-01-01T00:00:00.000Z' });
const sub = (title: string) => submission({ organizationId: 'org', id: 'user' }, body(title));

describe('submitParams', () => {
  it('gives one array per column, one entry per submission, with the priority multiplier', () => {
    const a = sub('a');
    const b = sub('b');
    const cols = submitParams([a, b]);
    expect(cols).toHaveLength(17);
    expect(cols[0]).toEqual([a.id, b.id]);
    expect(cols[3]).toEqual(['a', 'b']);
    expect(cols[8]).toEqual([12_500, 12_500]);
    expect(cols[16]).toEqual([false, false]);
    expect(a.id).not.toBe(b.id);
  });
});

describe('submitParams from a template', () => {
  it('carries the pinned version, the inputs and the checklist as jsonb, and its counts', () => {
    const checklist = [
      { id: 's1', title: 'A', detail: null, required: true },
      { id: 's2', title: 'B', detail: 'b', required: false },
    ];
    const templated = submission({ organizationId: 'org', id: 'user' }, { ...body('t'), template: { templateId: 'tpl', versionId: 'v2', version: 2, inputs: { n: 3 }, checklist } });
    const cols = submitParams([sub('plain'), templated]);
    expect(cols.slice(9).map((c) => c[0])).toEqual([null, null, null, null, null, 0, 0, false]);
    expect(cols.slice(9).map((c) => c[1])).toEqual(['tpl', 'v2', 2, '{"n":3}', JSON.stringify(checklist), 2, 1, false]);
  });
});

describe('transitionSql', () => {
  const base = { taskId: 't1', from: 'queued', to: 'claimed', actor: { id: 'u1', role: 'assistant' } } as const;
  const moves: Move[] = [
    { action: 'claim', assistantId: 'a' },
    { action: 'start' },
    { action: 'release' },
    { action: 'return', result: 'r', feeBps: 2000 },
    { action: 'accept' },
    { action: 'revise', feedback: 'f' },
    { action: 'cancel' },
    { action: 'expire', version: 3 },
    { action: 'auto_accept', version: 3 },
    { action: 'overdue' },
    { action: 'escalate', priority: 'high' },
    { action: 'dispute' },
    { action: 'resolve_rework', feedback: 'f' },
    { action: 'resolve_refund' },
    { action: 'resolve_reassign' },
  ];

  it('has an effect for every action, and only a return bills', () => {
    expect(Object.keys(EFFECTS).sort()).toEqual(moves.map((m) => m.action).sort());
    for (const move of moves) expect(transitionSql({ ...base, move }).text.includes('ledger_entries')).toBe(move.action === 'return');
  });

  it('puts every value in a parameter: the text depends on the action alone', () => {
    const hostile = `x'); DELETE FROM tasks; --`;
    const variants: [Move, Move][] = [
      [{ action: 'return', result: 'fine', feeBps: 2000 }, { action: 'return', result: hostile, feeBps: 1500 }],
      [{ action: 'revise', feedback: 'fine' }, { action: 'revise', feedback: hostile }],
      [{ action: 'claim', assistantId: 'a' }, { action: 'claim', assistantId: hostile }],
      [{ action: 'resolve_rework', feedback: 'fine' }, { action: 'resolve_rework', feedback: hostile }],
                ];
    for (const [a, b] of variants) {
      const [x, y] = [transitionSql({ ...base, move: a, note: 'n' }), transitionSql({ ...base, move: b, note: hostile })];
      expect(y.text).toBe(x.text);
      expect(y.text).not.toContain(hostile);
      expect(y.values).toContain(hostile);
    }
  });

  it('guards the timers’ moves by their version and flags, and a claim by capacity', () => {
    const expire = transitionSql({ ...base, move: { action: 'expire', version: 7 } });
    expect(expire.text).toMatch(/AND \(version = \$\d+\)/);
    expect(expire.values).toContain(7);
    expect(transitionSql({ ...base, move: { action: 'escalate', priority: 'urgent' } }).text).toContain('AND (NOT escalated)');
    expect(transitionSql({ ...base, move: { action: 'overdue' } }).text).toContain('AND (NOT overdue AND deadline <= now())');
    expect(transitionSql({ ...base, move: { action: 'claim', assistantId: 'a' } }, 'a').text).toContain('FOR UPDATE');
  });

  it('reads every now() from the given moment for a move in the past', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const { text, values } = transitionSql({ ...base, move: { action: 'return', result: 'r', feeBps: 2000 }, at });
    expect(text).not.toContain('now()');
    expect(values[0]).toBe(at);
  });
});

describe('toTask', () => {
  it('maps columns to the entity’s properties, JSON timestamps to Dates, and drops unknown columns', () => {
    const task = toTask({ id: 't', organization_id: 'o', price_cents: 100, created_at: '2026-01-01T00:00:00.000Z', assignee_name: null, second_migration: 1 });
    expect(task).toEqual({ id: 't', organizationId: 'o', priceCents: 100, createdAt: new Date('2026-01-01T00:00:00.000Z'), assigneeName: null });
  });
});
