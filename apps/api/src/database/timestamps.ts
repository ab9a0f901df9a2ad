import pg from 'pg';

/** node-postgres's own parser, for every shape the fast path leaves alone. */
const parseDate = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (value: string) => Date | number | null;

const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
};

/**
 * A `timestamptz` as PostgreSQL writes it in a UTC session
 * (`2026-11-26 10:28:20.130123+00`), read without the regular expressions of
 * node-postgres's parser, which were 2.5 % of the API's CPU under submit load:
 * every task row carries several timestamps and is read more than once.
 * Anything else (another time zone, years before 1000, BC, infinity) goes to
 * that parser. Sub-millisecond digits are dropped, as a Date cannot hold them.
 */
export function parseTimestamptz(value: string): Date | number | null {
  const n = value.length;
  const shaped =
    n >= 22 &&
    value.charCodeAt(4) === 45 && // -
    value.charCodeAt(7) === 45 &&
    value.charCodeAt(10) === 32 && // space
    value.charCodeAt(13) === 58 && // :
    value.charCodeAt(16) === 58 &&
    value.endsWith('+00');
  if (shaped) {
    const year = digits(value, 0, 4);
    let ms = 0;
    if (value.charCodeAt(19) === 46) {
      const fraction = value.slice(20, Math.min(n - 3, 23));
      ms = digits(fraction, 0, fraction.length) * 10 ** (3 - fraction.length);
    } else if (n !== 22) {
      return parseDate(value);
    }
    const time = Date.UTC(year, digits(value, 5, 7) - 1, digits(value, 8, 10), digits(value, 11, 13), digits(value, 14, 16), digits(value, 17, 19), ms);
    if (year >= 1000 && Number.isFinite(time)) return new Date(time);
  }
  return parseDate(value);
}
