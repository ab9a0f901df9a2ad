import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { generateMessageId, generateSecret, secretKey, sign, verify, webhookHeaders, WebhookVerificationError } from './signing.js';

// The test vector every Standard Webhooks reference library signs (JavaScript, Go, ...).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const AT = VECTOR.timestamp * 1000;

const headersFor = (signature: string, id = VECTOR.id, timestamp = String(VECTOR.timestamp)) => ({
  'webhook-id': id,
  'webhook-timestamp': timestamp,
  'webhook-signature': signature,
});

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.code;
    throw err;
  }
  return 'passed';
}

describe('Standard Webhooks signing', () => {
  it('signs the published test vector', () => {
    expect(sign(VECTOR, VECTOR.secret)).toBe(VECTOR.signature);
    // The whsec_ prefix is optional in a secret.
    expect(sign(VECTOR, VECTOR.secret.slice('whsec_'.length))).toBe(VECTOR.signature);
    expect(sign({ ...VECTOR, body: Buffer.from(VECTOR.body) }, VECTOR.secret)).toBe(VECTOR.signature);
  });

  it('verifies the published test vector, within the tolerance only', () => {
    expect(verify({ headers: headersFor(VECTOR.signature), body: VECTOR.body, secrets: VECTOR.secret, now: AT })).toEqual({ id: VECTOR.id, timestamp: VECTOR.timestamp });
    expect(failure(() => verify({ headers: headersFor(VECTOR.signature), body: VECTOR.body, secrets: VECTOR.secret, now: AT + 299_000 }))).toBe('passed');
    expect(failure(() => verify({ headers: headersFor(VECTOR.signature), body: VECTOR.body, secrets: VECTOR.secret, now: AT + 301_000 }))).toBe('timestamp_out_of_tolerance');
    expect(failure(() => verify({ headers: headersFor(VECTOR.signature), body: VECTOR.body, secrets: VECTOR.secret, now: AT - 301_000 }))).toBe('timestamp_out_of_tolerance');
    expect(failure(() => verify({ headers: headersFor(VECTOR.signature), body: VECTOR.body, secrets: VECTOR.secret, now: AT + 3_600_000, toleranceSeconds: 3_600 }))).toBe('passed');
  });

  it('signs with every secret during a rotation, current first, and verifies with either', () => {
    const next = generateSecret();
    const header = sign(VECTOR, [next, VECTOR.secret]);
    const [first, second] = header.split(' ');
    expect(second).toBe(VECTOR.signature);
    expect(first).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    for (const secrets of [[VECTOR.secret], [next], [generateSecret(), next]]) {
      expect(failure(() => verify({ headers: headersFor(header), body: VECTOR.body, secrets, now: AT }))).toBe('passed');
    }
    expect(failure(() => verify({ headers: headersFor(header), body: VECTOR.body, secrets: [generateSecret()], now: AT }))).toBe('no_matching_signature');
  });

  it.each([
    ['a changed body', { body: '{"test": 2432232315}' }],
    ['a changed id', { id: 'msg_p5jXN8AQM9LWM0D4loKWxJeK' }],
    ['a changed timestamp', { timestamp: String(VECTOR.timestamp + 1) }],
    ['a signature of another scheme only', { signature: 'v1a,' + VECTOR.signature.slice(3) }],
    ['a truncated signature', { signature: VECTOR.signature.slice(0, 8) }],
    ['an empty signature', { signature: 'v1,' }],
    ['a signature with different base64 spare bits', { signature: VECTOR.signature.replace('E=', 'F=') }],
  ])('refuses %s', (_case, change: { body?: string; id?: string; timestamp?: string; signature?: string }) => {
    const headers = headersFor(change.signature ?? VECTOR.signature, change.id ?? VECTOR.id, change.timestamp ?? String(VECTOR.timestamp));
    expect(failure(() => verify({ headers, body: change.body ?? VECTOR.body, secrets: VECTOR.secret, now: AT }))).toBe('no_matching_signature');
  });

  it('finds the valid signature among others, as the reference tests do', () => {
    const header = ['v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', 'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', VECTOR.signature, 'garbage'].join(' ');
    expect(failure(() => verify({ headers: headersFor(header), body: VECTOR.body, secrets: VECTOR.secret, now: AT }))).toBe('passed');
  });

  it.each([
    ['no webhook-id', { 'webhook-timestamp': '1614265330', 'webhook-signature': VECTOR.signature }, 'missing_header'],
    ['no webhook-timestamp', { 'webhook-id': VECTOR.id, 'webhook-signature': VECTOR.signature }, 'missing_header'],
    ['no webhook-signature', { 'webhook-id': VECTOR.id, 'webhook-timestamp': '1614265330' }, 'missing_header'],
    ['a timestamp that is not a number', headersFor(VECTOR.signature, VECTOR.id, 'hello'), 'invalid_timestamp'],
    ['a timestamp in milliseconds', headersFor(VECTOR.signature, VECTOR.id, String(AT)), 'timestamp_out_of_tolerance'],
    ['a negative timestamp', headersFor(VECTOR.signature, VECTOR.id, '-1614265330'), 'invalid_timestamp'],
  ])('refuses a delivery with %s', (_case, headers, code) => {
    expect(failure(() => verify({ headers, body: VECTOR.body, secrets: VECTOR.secret, now: AT }))).toBe(code);
  });

  it('reads headers in any case, and from a fetch Headers object', () => {
    const upper = { 'Webhook-Id': VECTOR.id, 'WEBHOOK-TIMESTAMP': String(VECTOR.timestamp), 'Webhook-Signature': [VECTOR.signature] };
    expect(failure(() => verify({ headers: upper, body: VECTOR.body, secrets: VECTOR.secret, now: AT }))).toBe('passed');
    expect(failure(() => verify({ headers: new Headers(headersFor(VECTOR.signature)), body: VECTOR.body, secrets: VECTOR.secret, now: AT }))).toBe('passed');
  });

  it('makes secrets of 24-64 random bytes and refuses anything else as a secret', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey(secret)).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
    expect(secretKey(generateSecret(24))).toHaveLength(24);
    expect(secretKey(generateSecret(64))).toHaveLength(64);
    expect(() => generateSecret(16)).toThrow(RangeError);
    expect(() => secretKey('whsec_' + Buffer.alloc(16).toString('base64'))).toThrow('24-64 bytes, not 16');
    expect(() => secretKey('whsec_not base64!')).toThrow(TypeError);
    expect(() => sign(VECTOR, [])).toThrow('no secret');
  });

  it('refuses to sign an id with a "." (it would blur where the id ends) or a fractional timestamp', () => {
    expect(() => sign({ ...VECTOR, id: 'msg.1' }, VECTOR.secret)).toThrow(TypeError);
    expect(() => sign({ ...VECTOR, id: '' }, VECTOR.secret)).toThrow(TypeError);
    expect(() => sign({ ...VECTOR, timestamp: 1.5 }, VECTOR.secret)).toThrow(TypeError);
    expect(generateMessageId()).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
  });

  it('builds the three delivery headers', () => {
    expect(webhookHeaders(VECTOR, VECTOR.secret)).toEqual({ 'webhook-id': VECTOR.id, 'webhook-timestamp': '1614265330', 'webhook-signature': VECTOR.signature });
  });
});

describe('agreement with the standardwebhooks reference library', () => {
  const anyBody = fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'grapheme', maxLength: 200 }));

  it('the reference verifies what we sign', () => {
    fc.assert(
      fc.property(anyBody, fc.integer({ min: 24, max: 64 }), (body, bytes) => {
        const secret = generateSecret(bytes);
        const id = generateMessageId();
        const timestamp = Math.floor(Date.now() / 1000);
        const reference = new Webhook(secret);
        expect(() => reference.verify(body, webhookHeaders({ id, timestamp, body }, secret), { jsonParse: false })).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('we verify what the reference signs, and both sign alike', () => {
    fc.assert(
      fc.property(anyBody, fc.integer({ min: 0, max: 4_000_000_000 }), (body, timestamp) => {
        const secret = generateSecret();
        const id = generateMessageId();
        const theirs = new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
        expect(sign({ id, timestamp, body }, secret)).toBe(theirs);
        const headers = headersFor(theirs, id, String(timestamp));
        expect(verify({ headers, body, secrets: secret, now: timestamp * 1000 })).toEqual({ id, timestamp });
      }),
      { numRuns: 300 },
    );
  });
});
