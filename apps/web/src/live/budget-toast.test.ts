import { describe, expect, it } from 'vitest';
import { toastForBudget } from './toasts';

const notice = { organizationId: 'org', templateId: null, month: '2026-12', monthlyCents: 10_000, committedCents: 8_000 } as const;

describe('toastForBudget', () => {
  it('warns at 80 % with what is committed, and leads to the budget page', () => {
    expect(toastForBudget({ ...notice, thresholdPct: 80 })).toEqual({
      title: 'Budget 80 % used',
      message: 'The monthly budget is 80 % used: $80.00 of $100.00 is committed this month.',
      color: 'orange',
      href: '/client/budget',
    });
  });
  it('at 100 % says new tasks need an owner, and whose budget it is', () => {
    const spec = toastForBudget({ ...notice, templateId: 'tpl', thresholdPct: 100, committedCents: 10_000 });
    expect(spec).toMatchObject({ title: 'Budget reached', color: 'red' });
    expect(spec.message).toBe('A template’s monthly budget is used up: $100.00 of $100.00 is committed this month. New tasks need an owner’s approval.');
  });
});
