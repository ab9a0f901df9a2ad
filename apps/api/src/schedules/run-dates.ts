import { formatLocalDate, localDateOf, type InputField } from '@handoff/contracts';

/**
 * A date input a schedule leaves empty takes each run's own date in the
 * organization's zone, so "Month ending" on a month-end run is that month's
 * last business day rather than one date fixed when the schedule was made.
 */
export function withRunDates(fields: readonly InputField[], inputs: Record<string, unknown> | null, runAt: Date, timeZone: string): Record<string, unknown> {
  const filled: Record<string, unknown> = { ...(inputs ?? {}) };
  const day = formatLocalDate(localDateOf(timeZone, runAt.getTime()));
  for (const f of fields) if (f.type === 'date' && (filled[f.key] === undefined || filled[f.key] === null || filled[f.key] === '')) filled[f.key] = day;
  return filled;
}
