// Wall-clock time in an IANA zone, on the platform's Intl alone: no time-zone
// library ships to the dashboard, and the API and the browser read the same
// tz database through the same calls.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A date on the organization's wall calendar, with no zone attached (month 1–12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

interface WallClock extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

// Zone names, not offsets: "+01:00" is a fixed offset (newer engines accept it
// as a zone) and would silently ignore DST.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
let listedZones: Set<string> | undefined;

/**
 * Whether the engine knows `name` as an IANA zone. The listed names come
 * first; the DateTimeFormat check catches what some engines leave out of the
 * list ("UTC", and newer names such as Asia/Kolkata on Node 20, which lists
 * only the older Asia/Calcutta).
 */
export function isValidTimeZone(name: string): boolean {
  if (!ZONE_NAME.test(name)) return false;
  listedZones ??= new Set(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []);
  if (listedZones.has(name)) return true;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    // h23, not hour12: false, which some engines render as "24" at midnight.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

// en-US with h23 reads "12/4/2026, 21:00:05"; anything else goes through formatToParts.
const US_WALL = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

function wallClockAt(zone: string, ms: number): WallClock {
  // format and a match: 6.5 µs against formatToParts' 17 µs, and a schedule pass asks this a few dozen times a run (profiled).
  const m = US_WALL.exec(formatterFor(zone).format(ms));
  if (m) return { year: Number(m[3]), month: Number(m[1]), day: Number(m[2]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) };
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(zone).formatToParts(ms)) {
    if (part.type in w) w[part.type as keyof WallClock] = Number(part.value);
  }
  return w;
}

/** How far the zone's clocks are ahead of UTC at an instant, in ms. */
export function offsetAt(zone: string, ms: number): number {
  const w = wallClockAt(zone, ms);
  const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - wholeSecond;
}

/** The date the zone's wall calendar shows at an instant. */
export function localDateOf(zone: string, ms: number): LocalDate {
  const { year, month, day } = wallClockAt(zone, ms);
  return { year, month, day };
}

/** Minutes past local midnight that the zone's clocks show at an instant (seconds dropped). */
export function minuteOfDayAt(zone: string, ms: number): number {
  const { hour, minute } = wallClockAt(zone, ms);
  return hour * 60 + minute;
}

const GRID_MS = 6 * HOUR_MS;
const gridOffsets = new Map<string, number>();

function gridOffsetAt(zone: string, ms: number): number {
  const key = `${zone} ${ms}`;
  let offset = gridOffsets.get(key);
  if (offset === undefined) {
    offset = offsetAt(zone, ms);
    if (gridOffsets.size >= 20_000) gridOffsets.clear();
    gridOffsets.set(key, offset);
  }
  return offset;
}

/**
 * The first instant at which the zone's clocks show `minuteOfDay` on `date`,
 * or a later time (`minuteOfDay` may be 1440, the next midnight).
 *
 * - Overlap (clocks go back, 02:30 happens twice): the first 02:30.
 * - Gap (clocks jump forward over 02:30): the moment of the jump, e.g. 03:00,
 *   the first moment the clocks read 02:30 or later.
 *
 * Resolving a gap to the jump, rather than shifting by its length (02:30 →
 * 03:30), keeps this monotone: a later wall time never maps to an earlier
 * instant, so a day's intervals stay in order and cron times inside one gap
 * collapse into a single run instead of overtaking the times after the gap.
 */
export function instantAt(zone: string, date: LocalDate, minuteOfDay: number): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE_MS;
  // Offsets a day or more either side bracket any transition near this wall
  // time (offsets stay within ±14 h); on a 6-hour grid, so they repeat and memoize.
  const before = gridOffsetAt(zone, Math.floor((wall - DAY_MS) / GRID_MS) * GRID_MS);
  const after = gridOffsetAt(zone, Math.ceil((wall + DAY_MS) / GRID_MS) * GRID_MS);
  const candidates = before === after ? [wall - before] : [wall - before, wall - after];
  const matches = candidates.filter((t) => offsetAt(zone, t) === wall - t);
  if (matches.length > 0) return Math.min(...matches);
  if (after <= before) return wall - before; // not reached with one transition in the window
  // In a gap: find the jump, the first whole second on the new offset.
  let lo = Math.floor((wall - after) / 1000); // still on the old offset
  let hi = Math.ceil((wall - before) / 1000); // already on the new one
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid * 1000) === before) lo = mid;
    else hi = mid;
  }
  return hi * 1000;
}

// Plain calendar arithmetic, zone-free: a UTC Date is only a day counter here.

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday, as Date#getDay. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** "YYYY-MM-DD". */
export function formatLocalDate(date: LocalDate): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** A real date written "YYYY-MM-DD" (2026-02-30 is not one), else null. */
export function parseLocalDate(text: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) return null;
  return date;
}

/** Minutes past midnight of "HH:MM" (00:00–23:59, or "24:00" when `allowMidnight`), else null. */
export function parseClockTime(text: string, allowMidnight = false): number | null {
  if (allowMidnight && text === '24:00') return 1440;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}
