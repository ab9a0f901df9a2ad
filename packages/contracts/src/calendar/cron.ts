import { type LocalDate, daysInMonth, weekdayOf } from './zoned.js';

// A small five-field cron evaluator. cron-parser (what BullMQ uses) would add
// itself and Luxon, about 30 KB gzip minified, to the dashboard, and a second
// zone engine whose DST rules differ from the rest of this calendar. Its field
// semantics are followed here, and a property test holds the two to the same
// runs (cron.spec.ts).

export interface CronSchedule {
  /** Minutes past midnight at which it fires on a matching date, ascending. */
  readonly times: readonly number[];
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday; 7 is folded into 0. */
  readonly daysOfWeek: ReadonlySet<number>;
  /** A field that is exactly "*". When both day fields are restricted, either may match (as cron and cron-parser do). */
  readonly anyDayOfMonth: boolean;
  readonly anyDayOfWeek: boolean;
}

export class CronSyntaxError extends Error {}

const ALIASES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, namesFrom: 0 },
];

const parsed = new Map<string, CronSchedule>();

/**
 * Parses "m h dom mon dow" (or @daily and friends); throws CronSyntaxError naming the field.
 * Remembered by text: a rule is checked and read again on every next-run question,
 * and an every-minute expression builds 1,440 times (a quarter of a schedule pass's CPU, profiled).
 */
export function parseCron(expression: string): CronSchedule {
  let schedule = parsed.get(expression);
  if (!schedule) {
    schedule = parseCronText(expression);
    if (parsed.size >= 1_000) parsed.clear();
    parsed.set(expression, schedule);
  }
  return schedule;
}

function parseCronText(expression: string): CronSchedule {
  const text = expression.trim().toLowerCase();
  const parts = (ALIASES[text] ?? text).split(/\s+/);
  if (parts.length !== 5) {
    throw new CronSyntaxError('must have five fields: minute hour day-of-month month day-of-week');
  }
  const [minutes = [], hours = [], doms = [], months = [], dows = []] = FIELDS.map((spec, i) => parseField(parts[i] ?? '', spec));
  const schedule: CronSchedule = {
    times: hours.flatMap((h) => minutes.map((m) => h * 60 + m)),
    daysOfMonth: new Set(doms),
    months: new Set(months),
    daysOfWeek: new Set(dows.map((d) => d % 7)),
    anyDayOfMonth: parts[2] === '*',
    anyDayOfWeek: parts[4] === '*',
  };
  // "0 0 30 2 *" would be accepted and then never fire; say so now.
  if (schedule.anyDayOfWeek && !months.some((m) => doms.some((d) => d <= daysInMonth(2000, m)))) {
    throw new CronSyntaxError('never runs: no chosen month has the chosen day of month');
  }
  return schedule;
}

function parseField(field: string, spec: FieldSpec): number[] {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new CronSyntaxError(`${spec.name} field: "${item}" is not a value, range or step`);
    const [range = '', stepText] = [m[1], m[2]];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) throw new CronSyntaxError(`${spec.name} field: step must be at least 1`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [spec.min, spec.max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [lo, hi] = [value(a, spec), value(b, spec)];
      if (lo > hi) throw new CronSyntaxError(`${spec.name} field: range ${range} runs backwards`);
    } else {
      lo = value(range, spec);
      // "5/15" means from 5 to the end in steps of 15.
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function value(token: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(token) ?? -1;
  const v = named >= 0 ? named + (spec.namesFrom ?? 0) : /^\d+$/.test(token) ? Number(token) : NaN;
  if (Number.isNaN(v)) throw new CronSyntaxError(`${spec.name} field: "${token}" is not a number`);
  if (v < spec.min || v > spec.max) throw new CronSyntaxError(`${spec.name} field: ${v} is outside ${spec.min}–${spec.max}`);
  return v;
}

export function cronMatchesDate(cron: CronSchedule, date: LocalDate): boolean {
  if (!cron.months.has(date.month)) return false;
  const dom = cron.daysOfMonth.has(date.day);
  const dow = cron.daysOfWeek.has(weekdayOf(date));
  if (cron.anyDayOfMonth) return dow;
  if (cron.anyDayOfWeek) return dom;
  return dom || dow;
}
