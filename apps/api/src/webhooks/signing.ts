import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Standard Webhooks (https://www.standardwebhooks.com/), symmetric scheme:
// webhook-signature holds space-separated "v1,<base64 HMAC-SHA256>" entries over
// "<webhook-id>.<webhook-timestamp>.<body>", keyed with the bytes of a whsec_ secret.

export const SECRET_PREFIX = 'whsec_';
/** The spec's bounds for a symmetric secret: 24 to 64 random bytes. */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
/** What receivers enforce by default; a delivery is signed when it is sent, retries included. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export interface SignInput {
  /** The message id: the same on every retry of one event, so receivers can drop duplicates. */
  id: string;
  /** Unix seconds of this attempt (not of the event). */
  timestamp: number;
  /** Exactly the bytes sent. */
  body: string | Buffer;
}

/** A new endpoint secret, shown to its owner once. */
export function generateSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new RangeError(`a secret has ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes`);
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** A fresh message id; base64url has no "." (the separator in what is signed). */
export function generateMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

/** The HMAC key in a secret; the prefix is optional, as in the reference libraries. */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new TypeError('a webhook secret is whsec_ followed by base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new TypeError(`a webhook secret holds ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes, not ${key.length}`);
  }
  return key;
}

function assertSignable(id: string, timestamp: number): void {
  // A "." in the id would let "a.b" + "c" and "a" + "b.c" sign the same content.
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new TypeError('a webhook id is 1-128 letters, digits, "_" or "-"');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new TypeError('a webhook timestamp is whole Unix seconds');
}

/** Over the header texts as sent, so a receiver computes it from exactly what it got. */
function digest(key: Buffer, id: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/** One "v1,<signature>" per secret, current secret first: several while a rotation is under way. */
export function sign(input: SignInput, secrets: string | readonly string[]): string {
  assertSignable(input.id, input.timestamp);
  const all = typeof secrets === 'string' ? [secrets] : secrets;
  if (all.length === 0) throw new TypeError('no secret to sign with');
  return all.map((s) => `v1,${digest(secretKey(s), input.id, String(input.timestamp), input.body)}`).join(' ');
}

/** The three headers of a delivery. */
export function webhookHeaders(input: SignInput, secrets: string | readonly string[]): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': sign(input, secrets),
  };
}

export type VerificationFailure = 'missing_header' | 'invalid_timestamp' | 'timestamp_out_of_tolerance' | 'no_matching_signature';

export class WebhookVerificationError extends Error {
  constructor(
    readonly code: VerificationFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

export interface VerifyInput {
  headers: HeaderSource;
  body: string | Buffer;
  /** Every secret the endpoint currently accepts (the new and the old one during a rotation). */
  secrets: string | readonly string[];
  toleranceSeconds?: number;
  now?: number;
}

/**
 * Checks a delivery as a receiver would: the timestamp within the tolerance
 * (against replays) and at least one v1 signature made with one of the
 * secrets, compared in constant time. Other schemes (v1a, v2) are skipped.
 */
export function verify({ headers, body, secrets, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now = Date.now() }: VerifyInput): { id: string; timestamp: number } {
  const id = header(headers, 'webhook-id');
  const rawTimestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !rawTimestamp || !signatures) throw new WebhookVerificationError('missing_header', 'webhook-id, webhook-timestamp and webhook-signature are required');
  if (!/^\d{1,15}$/.test(rawTimestamp)) throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp must be Unix seconds');
  const timestamp = Number(rawTimestamp);
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) {
    throw new WebhookVerificationError('timestamp_out_of_tolerance', `webhook-timestamp is more than ${toleranceSeconds}s from now`);
  }
  const expected = (typeof secrets === 'string' ? [secrets] : secrets).map((s) => Buffer.from(digest(secretKey(s), id, rawTimestamp, body), 'ascii'));
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) continue;
    // The text is compared, not decoded bytes: one spelling of each signature passes.
    const given = Buffer.from(value, 'ascii');
    if (expected.some((e) => e.length === given.length && timingSafeEqual(e, given))) return { id, timestamp };
  }
  throw new WebhookVerificationError('no_matching_signature', 'no v1 signature matches a secret of this endpoint');
}
