// Times arrive in UTC; everything shown is in the viewer's own time zone via Intl.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });

// A deadline is agreed between people who may sit in different zones; naming the zone keeps "5 PM" from being read as theirs.
// dateStyle cannot be combined with timeZoneName, so the zone comes from a formatter of its own.
const zoneName = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' });

export function formatDateTime(iso: string | null | undefined, opts: { zone?: boolean } = {}): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  if (!opts.zone) return dateTime.format(d);
  const zone = zoneName.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value;
  return zone ? `${dateTime.format(d)} ${zone}` : dateTime.format(d);
}

/**
 * The instant in another zone, named, when that zone is not the viewer's: the organization's own
 * reading of a deadline its business hours produced. Null where the two zones agree at that instant.
 */
export function formatInZone(iso: string, zone: string): string | null {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const theirs = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone });
  if (theirs.format(d) === dateTime.format(d)) return null;
  return `${theirs.format(d)} (${zone})`;
}

export function formatMonth(key: string): string {
  const [y, m] = key.split('-').map(Number);
  return monthFormat.format(new Date(y ?? 1970, (m ?? 1) - 1, 1));
}

/** A `YYYY-MM` key in the viewer's time zone, so a payout at 23:30 local counts in the right month. */
export function monthKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

export function timeZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "2 h 5 min", "3 d 4 h", "45 s": compact and unambiguous in a table cell. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const min = Math.floor(abs / 60_000);
  if (min < 1) return `${Math.max(0, Math.floor(abs / 1000))} s`;
  const days = Math.floor(min / 1440);
  const hours = Math.floor((min % 1440) / 60);
  const minutes = min % 60;
  if (days > 0) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}

/** Value for an `<input type="datetime-local">` in local time. */
export function toLocalInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
