import fc from 'fast-check';
import pg from 'pg';
import { parseTimestamptz } from './timestamps.js';

// Imported before sql.ts registers the fast parser, so this is node-postgres's own.
const stock = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (v: string) => Date | number | null;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** How PostgreSQL writes a timestamptz in a UTC session: microseconds, trailing zeros dropped. */
function asPostgres(ms: number, micros: number): string {
  const d = new Date(ms);
  const fraction = String(d.getUTCMilliseconds() * 1000 + micros).padStart(6, '0').replace(/0+$/, '');
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${fraction ? '.' + fraction : ''}+00`
  );
}

describe('parseTimestamptz', () => {
  it('reads what PostgreSQL writes in UTC to the millisecond, dropping microseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), fc.integer({ min: 0, max: 999 }), (ms, micros) => {
        expect((parseTimestamptz(asPostgres(ms, micros)) as Date).getTime()).toBe(ms);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ['2026-11-26 10:28:20+00', Date.UTC(2026, 10, 26, 10, 28, 20)],
    ['2026-11-26 10:28:20.5+00', Date.UTC(2026, 10, 26, 10, 28, 20, 500)],
    ['2026-11-26 10:28:20.05+00', Date.UTC(2026, 10, 26, 10, 28, 20, 50)],
    ['2026-11-26 10:28:20.145999+00', Date.UTC(2026, 10, 26, 10, 28, 20, 145)],
  ])('%s', (text, ms) => {
    expect((parseTimestamptz(text) as Date).getTime()).toBe(ms);
  });

  it.each(['2026-11-26 11:28:20.13+01', '2026-11-26 15:58:20+05:30', '0099-01-01 00:00:00+00', '2000-01-01 00:00:00+00 BC', 'infinity', '-infinity', '2026-1x-26 10:28:20+00'])(
    'leaves %s to the stock parser',
    (text) => {
      expect(parseTimestamptz(text)).toEqual(stock(text));
    },
  );
});
