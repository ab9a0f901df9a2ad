import { monthIn, toRun, toStats } from './process.service.js';
import { signedCents, money } from '../billing/statement-pdf.js';

describe('process figures', () => {
  const base = { tasks: 4, returned: 3, returnedOnTime: 2, avgSecondsToReturn: 60, avgSecondsToAccept: 120, accepted: 2, acceptedFirstPass: 1 };

  it('divides only where there is something to divide', () => {
    expect(toStats(base)).toMatchObject({ onTimeRate: 2 / 3, firstPassRate: 0.5 });
    expect(toStats({ ...base, returned: 0, returnedOnTime: 0, accepted: 0, acceptedFirstPass: 0 })).toMatchObject({ onTimeRate: null, firstPassRate: null });
  });

  it('cuts the month in the organization’s zone', () => {
    // 2026-11-30 12:00 UTC is already December in Auckland, still November in Los Angeles.
    const at = new Date('2026-11-30T12:00:00Z');
    expect(monthIn(at, 'Pacific/Auckland')).toBe('2026-12');
    expect(monthIn(at, 'America/Los_Angeles')).toBe('2026-11');
    expect(monthIn(at, 'UTC')).toBe('2026-11');
  });

  it('writes a run with ISO times and a trimmed currency', () => {
    const at = new Date('2026-12-01T09:00:00Z');
    const sut = toRun({ id: 'r', title: 'T', status: 'queued', templateVersion: 1, createdAt: at, deadline: at, returnedAt: null, acceptedAt: null, onTime: null, priceCents: 100, currency: 'USD' });
    expect(sut).toMatchObject({ submittedAt: '2026-12-01T09:00:00.000Z', returnedAt: null, currency: 'USD' });
  });
});

describe('statement PDF amounts', () => {
  it('shows a refund as money taken off, and zero without a sign', () => {
    expect(money(signedCents('refund', 125), 'USD')).toBe('-$1.25');
    expect(money(signedCents('adjustment', -30), 'USD')).toBe('-$0.30');
    expect(money(signedCents('charge', 2500), 'USD')).toBe('$25.00');
    expect(money(signedCents('refund', 0), 'USD')).toBe('$0.00');
  });
});
