import { z } from 'zod';
import { LIMITS } from '../domain.js';

export const uuid = z.uuid({ message: 'must be a UUID' });
export const idParams = z.strictObject({ id: uuid });

// PostgreSQL stores neither NUL (in text or jsonb) nor half of a UTF-16 surrogate
// pair (UTF-8 has no form for one; jsonb refuses it, text would get U+FFFD).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
export const SURROGATE_MESSAGE = 'must not contain an unpaired UTF-16 surrogate (U+D800 to U+DFFF)';

/** A string PostgreSQL can store: the base of every string a client sends (text, names, e-mails, passwords, cursors, query values). */
export function plainString(typeMessage = 'must be a string') {
  return z
    .string({ message: typeMessage })
    .refine((v) => !v.includes('\u0000'), { message: NUL_MESSAGE })
    .refine((v) => !LONE_SURROGATE.test(v), { message: SURROGATE_MESSAGE });
}

/** Real time zones run from UTC−12:00 to UTC+14:00; PostgreSQL refuses anything from ±16:00. */
export const OFFSET_MAX_MINUTES = 14 * 60;
const OFFSET = /([+-])(\d{2}):(\d{2})$/;
// The instants both PostgreSQL and an ISO-8601 string with a four-digit year can hold.
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** An ISO-8601 date-time with `Z` or an offset within ±14:00, between years 0001 and 9999 in UTC. */
export const isoDate = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 date-time' })
  .refine(
    (v) => {
      const m = OFFSET.exec(v);
      return !m || Number(m[2]) * 60 + Number(m[3]) <= OFFSET_MAX_MINUTES;
    },
    { message: 'must have a UTC offset between -14:00 and +14:00' },
  )
  .refine(
    (v) => {
      const at = Date.parse(v);
      return Number.isNaN(at) || (at >= EARLIEST && at <= LATEST);
    },
    { message: 'must be between 0001-01-01 and 9999-12-31 in UTC' },
  );

export const listQuery = z.object({
  // The range before the integer check, so 1e20 is told its range rather than that it is not an integer.
  limit: z.coerce
    .number({ message: 'must be a number' })
    .min(1, { message: 'must be at least 1' })
    .max(LIMITS.listMax, { message: `must be at most ${LIMITS.listMax}` })
    .int({ message: 'must be an integer' })
    .default(LIMITS.listDefault),
  cursor: plainString().max(200, { message: 'is too long' }).optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const errorBody = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  status: z.string().optional(),
  field: z.string().optional(),
  /** A machine-readable reason where the status alone is not enough (`two_factor_enrollment_required`). */
  code: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;

/** A 1..max string after trimming, storable (see plainString); the message names the bound so the 400 is self-explanatory. */
export function text(max: number, opts: { min?: number } = {}) {
  const min = opts.min ?? 1;
  return plainString()
    .trim()
    .min(min, { message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` })
    .max(max, { message: `must be at most ${max} characters` });
}
