import { z } from 'zod';
import { LIMITS } from '../domain.js';

export const uuid = z.uuid({ message: 'must be a UUID' });
export const idParams = z.strictObject({ id: uuid });

export const isoDate = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' });

export const listQuery = z.object({
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be an integer' })
    .min(1, { message: 'must be at least 1' })
    .max(LIMITS.listMax, { message: `must be at most ${LIMITS.listMax}` })
    .default(LIMITS.listDefault),
  cursor: z.string().max(200, { message: 'is too long' }).optional(),
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
});
export type ErrorBody = z.infer<typeof errorBody>;

/** A 1..max string after trimming; the message names the bound so the 400 is self-explanatory. */
export function text(max: number, opts: { min?: number } = {}) {
  const min = opts.min ?? 1;
  return z
    .string({ message: 'must be a string' })
    .trim()
    .min(min, { message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` })
    .max(max, { message: `must be at most ${max} characters` });
}
