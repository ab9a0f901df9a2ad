import { centsToDecimal, csvLine, csvText, ENTRY_CSV_COLUMNS } from './csv.js';

describe('billing CSV', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 does', () => {
    expect(csvText('plain')).toBe('plain');
    expect(csvText('Acme, Inc.')).toBe('"Acme, Inc."');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('two\nlines')).toBe('"two\nlines"');
    expect(csvText(null)).toBe('');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvText('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvText('+1')).toBe("'+1");
    expect(csvText('@sum')).toBe("'@sum");
  });

  it('writes cents as an exact decimal', () => {
    expect(centsToDecimal(0)).toBe('0.00');
    expect(centsToDecimal(5)).toBe('0.05');
    expect(centsToDecimal(123456)).toBe('1234.56');
    expect(centsToDecimal(-1205)).toBe('-12.05');
  });

  it('writes one line per entry with a cell per column', () => {
    const line = csvLine({
      id: 'e',
      created_at: new Date('2026-03-01T10:00:00Z'),
      kind: 'refund',
      task_id: 't',
      organization_id: 'o',
      organization_name: 'Acme, Inc.',
      assistant_id: null,
      assistant_name: null,
      amount_cents: -250,
      currency: 'USD',
      created_by: 'admin',
      reason: 'late "again"',
    });
    expect(line).toBe('e,2026-03-01T10:00:00.000Z,refund,t,o,"Acme, Inc.",,,-250,-2.50,USD,admin,"late ""again"""\r\n');
    expect(ENTRY_CSV_COLUMNS).toHaveLength(13);
  });
});
