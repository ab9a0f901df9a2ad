import { describe, expect, it } from 'vitest';
import { inputFields, type InputField } from './schemas/templates.js';
import { describeInputIssue, validateTemplateInputs } from './template-inputs.js';

const sut = validateTemplateInputs;

const fields: InputField[] = inputFields.parse([
  { key: 'client_name', label: 'Client', type: 'text', required: true, maxLength: 20, minLength: 2 },
  { key: 'amount', label: 'Amount', type: 'number', min: 0, max: 100 },
  { key: 'invoices', label: 'Invoices', type: 'number', integer: true, required: true, min: 1 },
  { key: 'period_end', label: 'Period end', type: 'date', min: '2026-01-01', max: '2026-12-31' },
  { key: 'ledger', label: 'Ledger', type: 'choice', options: ['QuickBooks', 'Xero'], required: true },
]);

const valid = { client_name: 'Acme', amount: 12.5, invoices: 3, period_end: '2026-03-31', ledger: 'Xero' };

describe('validateTemplateInputs', () => {
  it('answers the values of valid inputs, trimmed', () => {
    expect(sut(fields, { ...valid, client_name: '  Acme  ' })).toEqual({ ok: true, values: valid });
  });

  it('reads numbers spelled as text, as a CSV cell gives them', () => {
    expect(sut(fields, { ...valid, amount: '12.5', invoices: ' 3 ' })).toEqual({ ok: true, values: valid });
  });

  it('leaves blank optional fields out and refuses blank required ones', () => {
    const res = sut(fields, { client_name: '', invoices: null, amount: '', period_end: '   ' });
    expect(res).toEqual({
      ok: false,
      issues: [
        { key: 'client_name', message: 'is required' },
        { key: 'invoices', message: 'is required' },
        { key: 'ledger', message: 'is required' },
      ],
    });
    expect(sut(fields, { client_name: 'Acme', invoices: 1, ledger: 'Xero', amount: '' })).toEqual({ ok: true, values: { client_name: 'Acme', invoices: 1, ledger: 'Xero' } });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['text too long', { client_name: 'x'.repeat(21) }, 'inputs.client_name must be at most 20 characters'],
    ['text too short', { client_name: 'x' }, 'inputs.client_name must be at least 2 characters'],
    ['text of the wrong type', { client_name: 42 }, 'inputs.client_name must be a string'],
    ['text with NUL', { client_name: 'Ac\u0000me' }, 'inputs.client_name must not contain the NUL character (U+0000)'],
    ['number below min', { amount: -1 }, 'inputs.amount must be at least 0'],
    ['number above max', { amount: '100.01' }, 'inputs.amount must be at most 100'],
    ['number not a number', { amount: 'twelve' }, 'inputs.amount must be a number'],
    ['number infinite', { amount: '1e400' }, 'inputs.amount must be a number'],
    ['integer with a fraction', { invoices: 2.5 }, 'inputs.invoices must be a whole number'],
    ['date not a date', { period_end: '31/03/2026' }, 'inputs.period_end must be a date YYYY-MM-DD'],
    ['date of no calendar', { period_end: '2026-02-30' }, 'inputs.period_end must be a date YYYY-MM-DD'],
    ['date before min', { period_end: '2025-12-31' }, 'inputs.period_end must be on or after 2026-01-01'],
    ['date after max', { period_end: '2027-01-01' }, 'inputs.period_end must be on or before 2026-12-31'],
    ['choice not offered', { ledger: 'Sage' }, 'inputs.ledger must be one of QuickBooks, Xero'],
    ['unknown key', { colour: 'red' }, 'inputs.colour is not a field of this template'],
  ])('%s', (_name, change, message) => {
    const res = sut(fields, { ...valid, ...change });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.issues.map((i) => describeInputIssue(i))).toEqual([message]);
  });

  it('reports every problem of one submission', () => {
    const res = sut(fields, { client_name: 'x', amount: 500, invoices: 0, ledger: 'Sage', extra: 1 });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.issues.map((i) => i.key)).toEqual(['extra', 'client_name', 'amount', 'invoices', 'ledger']);
  });

  it('refuses inputs that are not an object', () => {
    for (const bad of [[], 'x', 3]) {
      expect(sut(fields, bad)).toEqual({ ok: false, issues: [{ key: '', message: 'must be an object of values by field key' }] });
    }
    expect(describeInputIssue({ key: '', message: 'must be an object' })).toBe('inputs must be an object');
  });

  it('takes no inputs for a version without fields', () => {
    expect(sut([], undefined)).toEqual({ ok: true, values: {} });
    expect(sut([], {})).toEqual({ ok: true, values: {} });
  });

  it('does not read keys from the prototype', () => {
    const withProto = JSON.parse('{"__proto__": {"ledger": "Xero"}, "client_name": "Acme", "invoices": 1}') as Record<string, unknown>;
    const res = sut(fields, withProto);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.issues.map((i) => i.key).sort()).toEqual(['__proto__', 'ledger']);
  });
});

describe('input field definitions', () => {
  it.each<[string, unknown, string]>([
    ['a bad key', [{ key: 'Client Name', label: 'C', type: 'text' }], '0.key'],
    ['a repeated key', [{ key: 'a', label: 'A', type: 'text' }, { key: 'a', label: 'B', type: 'number' }], '1.key'],
    ['an unknown type', [{ key: 'a', label: 'A', type: 'colour' }], '0.type'],
    ['min above max', [{ key: 'a', label: 'A', type: 'number', min: 5, max: 1 }], '0.min'],
    ['minLength above maxLength', [{ key: 'a', label: 'A', type: 'text', minLength: 50, maxLength: 10 }], '0.minLength'],
    ['a choice without options', [{ key: 'a', label: 'A', type: 'choice', options: [] }], '0.options'],
    ['a repeated option', [{ key: 'a', label: 'A', type: 'choice', options: ['x', 'x'] }], '0.options.1'],
    ['options on a text field', [{ key: 'a', label: 'A', type: 'text', options: ['x'] }], '0'],
    ['a bad date bound', [{ key: 'a', label: 'A', type: 'date', min: '2026-13-01' }], '0.min'],
  ])('refuses %s', (_name, value, path) => {
    const res = inputFields.safeParse(value);
    expect(res.success).toBe(false);
    expect(res.error?.issues[0]?.path.join('.')).toBe(path);
  });
});
