import fc from 'fast-check';
import { centsToDecimal, csvLine, csvText, ENTRY_CSV_COLUMNS } from './csv.js';

/**
 * Cells as a spreadsheet splitting on `sep` would read them: a double quote
 * opens a quoted part only at the very start of a cell (RFC 4180), and a line
 * break outside quotes starts a new row, hence a new cell.
 */
function cellsOf(text: string, sep: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let i = 0;
  let atStart = true;
  while (i < text.length) {
    const ch = text[i]!;
    if (atStart && ch === '"') {
      atStart = false;
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
      continue;
    }
    atStart = false;
    if (ch === sep || ch === '\n' || ch === '\r') {
      cells.push(cell);
      cell = '';
      atStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    cell += ch;
    i++;
  }
  cells.push(cell);
  return cells;
}

// What a spreadsheet may run: a formula sign, also full-width, perhaps after blanks it trims or quotes.
const RUNS = /^[\s\0"]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;
// OWASP's list of first characters, with the full-width forms some spreadsheets read as their ASCII twins.
const ROW = {
  id: 'e',
  created_at: new Date('2026-03-01T10:00:00Z'),
  kind: 'refund',
  task_id: 't',
  organization_id: 'o',
  assistant_id: null,
  amount_cents: 250,
  currency: 'USD',
  created_by: 'admin',
};
const PREFIXES = ['=', '+', '-', '@', '\t', '\r', '\n', '\0', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'];


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

  describe.each(PREFIXES.map((p) => [JSON.stringify(p), p]))('a text starting with %s', (_name, prefix) => {
    it.each(['1+1', 'HYPERLINK("https://example.test/?"&A1,"x")', "cmd|' /C calc'!A0", ''])('…%s is read as text, with only an apostrophe added', (rest) => {
      const value = prefix + rest;
      const cell = csvText(value);
      expect(cellsOf(cell, ',')).toEqual([`'${value}`]);
    });
  });

  it.each([
    [' =1+1', "' =1+1"],
    ['\u3000\uFF1D1+1', "'\u3000\uFF1D1+1"],
    ['\uFF1D1+1', "'\uFF1D1+1"],
    ['\t\t=1', "'\t'\t'=1"],
    ['"=1+1"', `'"=1+1"`],
  ])('defuses %j, whatever blanks come first', (value, text) => {
    expect(cellsOf(csvText(value), ',')).toEqual([text]);
  });

  // Where `;` is the list separator (much of Europe), a spreadsheet splits there,
  // and a quote in the middle of its cell is only a character: the next cell starts right after it.
  it.each([
    [';=1+1', '";\'=1+1"'],
    ['Acme;=HYPERLINK("x")', '"Acme;\'=HYPERLINK(""x"")"'],
    ['a; +1', '"a;\' +1"'],
    ['a;\uFF20SUM(A1)', '"a;\'\uFF20SUM(A1)"'],
    ['a\t=1', '"a\t\'=1"'],
    ['a;"=1+1"', `"a;'""=1+1"""`],
    ['two\nlines\n@sum', '"two\nlines\n\'@sum"'],
    ['two\r\n-1', '"two\r\n\'-1"'],
  ])('defuses a formula after a separator or line break inside %j', (value, cell) => {
    expect(csvText(value)).toBe(cell);
  });

  it.each([
    ['a,=1+1', '"a,=1+1"'],
    ['late; two items', '"late; two items"'],
    ['first line\r\nsecond line', '"first line\r\nsecond line"'],
    ['a - b', 'a - b'],
    ['x=1', 'x=1'],
  ])('leaves %j as it was, quoted where it holds a separator', (value, cell) => {
    // A comma is safe where it is quoted: a spreadsheet splitting on commas honors the quotes, and one splitting on `;` does not split there.
    expect(csvText(value)).toBe(cell);
  });

  it('never lets a cell start with a formula, whichever separator the spreadsheet splits on', () => {
    const alphabet = fc.constantFrom(...PREFIXES, ',', ';', '"', "'", ' ', '\u3000', 'a', '1', '(', ')');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 12 }).map((cs) => cs.join('')), (value) => {
        const line = csvLine({ ...ROW, task_title: value, organization_name: 'Acme', assistant_name: null, reason: value });
        for (const sep of [',', ';', '\t']) for (const cell of cellsOf(line, sep)) expect(cell).not.toMatch(RUNS);
        // Read as written (commas), each cell of the text (title and reason) is the text with
        // apostrophes added and nothing else changed.
        const cells = cellsOf(line.slice(0, -2), ',');
        expect(cells).toHaveLength(ENTRY_CSV_COLUMNS.length);
        for (const read of [cells[ENTRY_CSV_COLUMNS.indexOf('task_title')]!, cells.at(-1)!]) {
          expect(read.replaceAll("'", '')).toBe(value.replaceAll("'", ''));
          expect(read).not.toMatch(/^[\t\r\n\0]/);
        }
      }),
      { numRuns: 2000 },
    );
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
      task_title: '@home; =2+2',
      organization_id: 'o',
      organization_name: 'Acme, Inc.',
      assistant_id: null,
      assistant_name: null,
      amount_cents: -250,
      currency: 'USD',
      created_by: 'admin',
      reason: 'late "again"',
    });
    expect(line).toBe(`e,2026-03-01T10:00:00.000Z,refund,t,"'@home;' =2+2",o,"Acme, Inc.",,,-250,-2.50,USD,admin,"late ""again"""\r\n`);
    expect(ENTRY_CSV_COLUMNS).toHaveLength(14);
  });
});
