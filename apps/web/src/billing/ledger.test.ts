import type { LedgerEntryView } from '@handoff/contracts';
import { describe, expect, it } from 'vitest';
import { totalsByMonth } from './ledger';

const entry = (createdAt: string, amountCents: number): LedgerEntryView => ({
  id: `${createdAt}-${amountCents}`,
  taskId: 't',
  organizationId: 'o',
  assistantId: 'a',
  kind: 'payout',
  amountCents,
  currency: 'USD',
  createdAt,
});

describe('totalsByMonth', () => {
  it('sums integer cents per month, newest first', () => {
    const totals = totalsByMonth([entry('2026-01-10T12:00:00', 2000), entry('2026-02-03T12:00:00', 1999), entry('2026-01-20T12:00:00', 1)]);
    expect(totals).toEqual([
      { month: '2026-02', currency: 'USD', totalCents: 1999, count: 1 },
      { month: '2026-01', currency: 'USD', totalCents: 2001, count: 2 },
    ]);
  });
});
