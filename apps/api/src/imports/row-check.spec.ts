import type { InputField } from '@handoff/contracts';
import { checkHeader, checkRow, ImportRefused, isBlankRow, rowsAsRecords } from './row-check.js';

const FIELDS: InputField[] = [
  { key: 'folder', label: 'Folder', type: 'text', required: true, maxLength: 10 },
  { key: 'count', label: 'Count', type: 'number', required: false, integer: true, min: 1 },
];

describe('checkHeader', () => {
  it('takes input keys and the task columns, trimmed', () => {
    expect(checkHeader(FIELDS, [' folder', 'count ', 'title', 'priority', 'deadline'])).toEqual(['folder', 'count', 'title', 'priority', 'deadline']);
  });

  it.each([
    [undefined, 'file has no header row'],
    [['', ' '], 'file has no header row'],
    [['folder', ''], 'file column 2 has no name'],
    [['folder', 'folder'], 'file column "folder" appears twice'],
    [['folder', 'colour'], 'file column "colour" is not an input of this template'],
    [Array.from({ length: 101 }, (_, i) => `c${i}`), 'file has 101 columns; at most 100'],
  ])('refuses %j', (header, message) => {
    const sut = () => checkHeader(FIELDS, header);
    expect(sut).toThrow(ImportRefused);
    expect(sut).toThrow(message);
  });
});

describe('checkRow', () => {
  const columns = ['folder', 'count', 'title', 'priority'];

  it('turns a valid row into its inputs and task fields', () => {
    expect(checkRow(FIELDS, columns, 2, [' a ', '3', 'T', 'high'])).toEqual({
      rowNumber: 2,
      cells: [' a ', '3', 'T', 'high'],
      inputs: { folder: 'a', count: 3 },
      title: 'T',
      priority: 'high',
      deadline: null,
      errors: null,
    });
  });

  it('pads a short row and leaves blank optional values out', () => {
    expect(checkRow(FIELDS, columns, 3, ['a'])).toMatchObject({ cells: ['a', '', '', ''], inputs: { folder: 'a' }, title: null, priority: null, errors: null });
  });

  it('reports every problem, each naming its column', () => {
    const row = checkRow(FIELDS, columns, 4, ['', '1.5', '', 'soon', 'extra']);
    expect(row.inputs).toBeNull();
    expect(row.errors).toEqual([
      { column: '', message: 'has 5 cells; the header has 4' },
      { column: 'folder', message: 'is required' },
      { column: 'count', message: 'must be a whole number' },
      { column: 'priority', message: 'must be one of low, normal, high, urgent' },
    ]);
  });
});

describe('the rest', () => {
  it('knows a blank row', () => {
    expect(isBlankRow(['', ' ', ''])).toBe(true);
    expect(isBlankRow(['', 'x'])).toBe(false);
  });

  it('makes a header from JSON rows: the first row’s keys, then new ones', () => {
    expect(rowsAsRecords([{ folder: 'a', count: 2 }, { count: null, title: 'T' }])).toEqual([
      ['folder', 'count', 'title'],
      ['a', '2', ''],
      ['', '', 'T'],
    ]);
  });
});
