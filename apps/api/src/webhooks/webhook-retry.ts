import { createHash } from 'node:crypto';

export interface RetrySettings {
  baseMs: number;
  maxDelayMs: number;
  windowMs: number;
}

/**
 * The wait before the next attempt, after `attemptsMade` failures of a delivery
 * whose window opened at `since`: base × 2^(n−1), at most maxDelay, and never past
 * the window's end (so the last attempt is made at the end). null: the window is over.
 */
export function retryDelay(attemptsMade: number, since: number, now: number, s: RetrySettings): number | null {
  const end = since + s.windowMs;
  if (now >= end) return null;
  const exponential = s.baseMs * 2 ** Math.min(Math.max(attemptsMade - 1, 0), 40);
  return Math.max(1, Math.min(exponential, s.maxDelayMs, end - now));
}

/** One delivery per (endpoint, event): its id is derived from both, so a redelivered batch makes no second one. */
export function deliveryId(endpointId: string, eventId: string): string {
  const h = createHash('sha256').update(`webhook-delivery/${endpointId}/${eventId}`).digest('hex').split('');
  h[12] = '8'; // RFC 9562 version 8: a name-derived, custom UUID
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const x = h.join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
