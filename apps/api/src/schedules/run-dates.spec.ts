import type { InputField } from '@handoff/contracts';
import { withRunDates } from './run-dates.js';

const fields: InputField[] = [
  { key: 'period_end', label: 'Month ending', type: 'date', required: true },
  { key: 'ledger', label: 'Accounting system', type: 'choice', required: true, options: ['Xero', 'Other'] },
  { key: 'paid_on', label: 'Paid on', type: 'date', required: false },
];

describe('withRunDates', () => {
  it('gives date inputs left empty the run’s date in the organization’s zone, and leaves the rest as fixed', () => {
    // 23:30 UTC on 30 April is already 1 May in Berlin.
    const at = new Date('2026-04-30T23:30:00Z');
    expect(withRunDates(fields, { ledger: 'Xero' }, at, 'Europe/Berlin')).toEqual({ ledger: 'Xero', period_end: '2026-05-01', paid_on: '2026-05-01' });
    expect(withRunDates(fields, { ledger: 'Xero' }, at, 'America/New_York')).toEqual({ ledger: 'Xero', period_end: '2026-04-30', paid_on: '2026-04-30' });
  });

  it('keeps a date the schedule fixed', () => {
    expect(withRunDates(fields, { ledger: 'Other', period_end: '2026-01-31', paid_on: '' }, new Date('2026-03-31T15:00:00Z'), 'UTC')).toEqual({ ledger: 'Other', period_end: '2026-01-31', paid_on: '2026-03-31' });
  });
});
