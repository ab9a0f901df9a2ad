import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronSyntaxError, cronMatchesDate, parseCron } from './cron.js';
import { nextRuns } from './recurrence.js';
import { parseLocalDate } from './zoned.js';

const date = (text: string) => parseLocalDate(text) ?? expect.fail(`bad date ${text}`);

describe('parseCron', () => {
  it('reads values, ranges, steps, lists and names', () => {
    const sut = parseCron('0,30 9-17/4 * JAN,jul mon-fri');
    expect(sut.times).toEqual([540, 570, 780, 810, 1020, 1050]);
    expect([...sut.months]).toEqual([1, 7]);
    expect([...sut.daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect(parseCron('5/20 0 * * *').times).toEqual([5, 25, 45]);
    expect([...parseCron('0 0 * * 7').daysOfWeek]).toEqual([0]);
    expect(parseCron('@daily')).toEqual(parseCron('0 0 * * *'));
  });

  it.each([
    ['0 0 * *', 'must have five fields: minute hour day-of-month month day-of-week'],
    ['60 0 * * *', 'minute field: 60 is outside 0–59'],
    ['0 24 * * *', 'hour field: 24 is outside 0–23'],
    ['0 0 0 * *', 'day of month field: 0 is outside 1–31'],
    ['0 0 * 13 *', 'month field: 13 is outside 1–12'],
    ['0 0 * * 8', 'day of week field: 8 is outside 0–7'],
    ['0 0 * * funday', 'day of week field: "funday" is not a number'],
    ['0 17-9 * * *', 'hour field: range 17-9 runs backwards'],
    ['*/0 * * * *', 'minute field: step must be at least 1'],
    ['0 0 L * *', 'day of month field: "l" is not a number'],
    ['0 0 ? * *', 'day of month field: "?" is not a value, range or step'],
    ['0 0 30 2 *', 'never runs: no chosen month has the chosen day of month'],
  ])('refuses %j: %s', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(new CronSyntaxError(message));
  });

  it('accepts 29 February, which comes every four years', () => {
    expect(() => parseCron('0 12 29 2 *')).not.toThrow();
  });
});

describe('cronMatchesDate', () => {
  it.each([
    // day of month and day of week both restricted: either one matches (as in cron)
    ['0 0 13 * 5', '2026-03-13', true], // Friday the 13th
    ['0 0 13 * 5', '2026-03-20', true], // a Friday
    ['0 0 13 * 5', '2026-04-13', true], // a 13th
    ['0 0 13 * 5', '2026-03-14', false],
    // only one restricted: that one decides
    ['0 0 13 * *', '2026-03-20', false],
    ['0 0 * * 5', '2026-03-13', true],
    ['0 0 * * 5', '2026-04-13', false],
    ['0 0 1 6 *', '2026-06-01', true],
    ['0 0 1 6 *', '2026-07-01', false],
  ])('%s on %s: %s', (expression, day, expected) => {
    expect(cronMatchesDate(parseCron(expression), date(day))).toBe(expected);
  });
});

// Five-field expressions both evaluators accept.
function field(min: number, max: number) {
  const value = fc.integer({ min, max });
  const range = fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  const item = fc.oneof(
    value.map(String),
    range,
    fc.integer({ min: 1, max: max - min + 1 }).map((s) => `*/${s}`),
    fc.tuple(range, fc.integer({ min: 1, max: 10 })).map(([r, s]) => `${r}/${s}`),
  );
  return fc.oneof({ weight: 1, arbitrary: fc.constant('*') }, { weight: 4, arbitrary: fc.array(item, { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')) });
}
// A few minutes and hours keep each day's runs few enough to compare quickly.
const expression = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')),
    field(0, 23),
    field(1, 31),
    field(1, 12),
    field(0, 6),
  )
  .map((parts) => parts.join(' '))
  .filter((e) => {
    try {
      parseCron(e);
      return true;
    } catch {
      return false;
    }
  });

describe('agreement with cron-parser (what BullMQ uses)', () => {
  // Zones without DST in these years, where the two cannot differ on how to treat a change.
  const zones = ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Tokyo'];

  it('gives the same next ten runs for random expressions and instants', () => {
    fc.assert(
      fc.property(
        expression,
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (expr, zone, after) => {
          const ours = nextRuns({ kind: 'cron', expression: expr, start: '2000-01-01T00:00:00Z' }, new Date(after), 10, {
            timeZone: zone,
            weeklyHours: { mon: [{ start: '09:00', end: '17:00' }] },
          }).map((d) => d.toISOString());
          let parsed;
          try {
            parsed = CronExpressionParser.parse(expr, { currentDate: new Date(after), tz: zone });
          } catch {
            // cron-parser also refuses a list that repeats a value ("1-3,2"); cron accepts it.
            fc.pre(false);
            return;
          }
          const theirs = parsed.take(10).map((d) => d.toISOString());
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000); // sized by count; cron-parser takes up to a second on a rare expression
});
