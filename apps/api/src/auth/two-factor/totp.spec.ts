import { createHmac } from 'node:crypto';
import { codeAt, newEnrolment, otpauthUriFor, timeStepAt, TOTP, verifyCode } from './totp.js';

// The RFC 6238 / RFC 4226 test key: the ASCII bytes of "12345678901234567890", and its base32 spelling.
const RFC_KEY = Buffer.from('12345678901234567890', 'ascii');
const RFC_KEY_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const STEP_MS = TOTP.periodSeconds * 1000;

/** RFC 4226 section 5 written out with node:crypto alone, to check otplib's answers independently. */
function referenceHotp(key: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  return Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
}

/** The code an app shows at step `step`, worked out by the reference implementation. */
const codeOfStep = (secret: string, step: number) => referenceHotp(base32Decode(secret), step);

describe('TOTP codes', () => {
  // RFC 6238 appendix B, the SHA-1 rows: (Unix time, 8-digit code).
  const RFC_6238_SHA1: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];

  it.each(RFC_6238_SHA1)('matches RFC 6238 appendix B at T=%i (8 digits)', (seconds, expected) => {
    expect(codeAt(RFC_KEY, seconds * 1000, 8)).toBe(expected);
    expect(codeAt(RFC_KEY_BASE32, seconds * 1000, 8)).toBe(expected);
  });

  it.each(RFC_6238_SHA1)('accepts the 6-digit form of the RFC 6238 vector at T=%i and answers its step', (seconds, expected) => {
    // Truncation to d digits is the binary value mod 10^d, so the 6-digit code is the last six digits.
    expect(verifyCode(RFC_KEY_BASE32, expected.slice(-6), { lastUsedStep: null, now: seconds * 1000 })).toBe(Math.floor(seconds / 30));
  });

  // RFC 4226 appendix D: HOTP values for counters 0-9 (TOTP is HOTP of the step number).
  const RFC_4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

  it.each(RFC_4226.map((code, counter) => [counter, code] as const))('accepts the RFC 4226 value for counter %i at that step', (counter, code) => {
    expect(referenceHotp(RFC_KEY, counter)).toBe(code);
    expect(verifyCode(RFC_KEY_BASE32, code, { lastUsedStep: null, now: counter * STEP_MS + 15_000 })).toBe(counter);
  });
});

describe('newEnrolment', () => {
  it('makes a 160-bit base32 secret and the otpauth URI apps read, with the defaults spelled out', () => {
    const sut = newEnrolment('alice@example.com');
    expect(sut.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(sut.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Handoff:alice@example.com');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret: sut.secret, issuer: 'Handoff', algorithm: 'SHA1', digits: '6', period: '30' });
    expect(sut.qrSvg.startsWith('<svg ')).toBe(true);
  });

  it('gives every enrolment its own secret', () => {
    const secrets = new Set(Array.from({ length: 50 }, () => newEnrolment('a@example.com').secret));
    expect(secrets.size).toBe(50);
  });

  it('escapes a colon or spaces in the account name, so apps do not read part of it as the issuer', () => {
    const uri = otpauthUriFor(RFC_KEY_BASE32, 'ops: night shift', 'Acme & Co');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Acme%20%26%20Co:ops%3A%20night%20shift\?/);
    expect(new URL(uri).searchParams.get('issuer')).toBe('Acme & Co');
  });

  it('refuses an empty account name or one with control characters', () => {
    expect(() => newEnrolment('')).toThrow(/accountName/);
    expect(() => newEnrolment('a\nb@example.com')).toThrow(/accountName/);
  });

  it('produces a secret whose codes an independent implementation agrees with', () => {
    const { secret } = newEnrolment('bob@example.com');
    const now = Date.now();
    const step = timeStepAt(now);
    expect(codeAt(secret, now)).toBe(codeOfStep(secret, step));
    expect(verifyCode(secret, codeOfStep(secret, step), { lastUsedStep: null, now })).toBe(step);
  });
});

describe('verifyCode', () => {
  const { secret } = newEnrolment('carol@example.com');
  const step = 57_000_000; // some step in 2024

  it('refuses a code whose step was already used (replay), and takes the next step', () => {
    const now = step * STEP_MS + 10_000;
    const code = codeOfStep(secret, step);
    const used = verifyCode(secret, code, { lastUsedStep: null, now });
    expect(used).toBe(step);
    expect(verifyCode(secret, code, { lastUsedStep: used, now })).toBeNull();
    // Nor an older code still inside the window.
    expect(verifyCode(secret, codeOfStep(secret, step - 1), { lastUsedStep: used, now })).toBeNull();
    // The following step's code is fresh.
    expect(verifyCode(secret, codeOfStep(secret, step + 1), { lastUsedStep: used, now: (step + 1) * STEP_MS })).toBe(step + 1);
  });

  it('answers null, without throwing, once every step of the window has been used', () => {
    const now = step * STEP_MS;
    expect(verifyCode(secret, codeOfStep(secret, step + 1), { lastUsedStep: step + 1, now })).toBeNull();
    expect(verifyCode(secret, codeOfStep(secret, step), { lastUsedStep: step + 5, now })).toBeNull();
  });

  // First and last millisecond of the step, and its middle: the window is whole steps, not ±30 s of clock.
  it.each([0, 1, 15_000, STEP_MS - 1])('at %i ms into a step accepts the steps either side and refuses two away', (into) => {
    const now = step * STEP_MS + into;
    for (const delta of [-1, 0, 1]) {
      expect(verifyCode(secret, codeOfStep(secret, step + delta), { lastUsedStep: null, now })).toBe(step + delta);
    }
    for (const delta of [-3, -2, 2, 3]) {
      expect(verifyCode(secret, codeOfStep(secret, step + delta), { lastUsedStep: null, now })).toBeNull();
    }
  });

  it('ignores spaces in what was typed and refuses anything but six digits', () => {
    const now = step * STEP_MS;
    const code = codeOfStep(secret, step);
    expect(verifyCode(secret, `${code.slice(0, 3)} ${code.slice(3)}`, { lastUsedStep: null, now })).toBe(step);
    for (const bad of ['', code.slice(1), `${code}0`, 'abcdef', `${code.slice(0, 5)}x`, '１２３４５６']) {
      expect(verifyCode(secret, bad, { lastUsedStep: null, now })).toBeNull();
    }
  });

  it('refuses a wrong code', () => {
    const now = step * STEP_MS;
    const code = codeOfStep(secret, step);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const inWindow = [-1, 0, 1].map((d) => codeOfStep(secret, step + d));
    // (Skip the one-in-a-million case where the neighbour is another valid code in the window.)
    if (!inWindow.includes(wrong)) expect(verifyCode(secret, wrong, { lastUsedStep: null, now })).toBeNull();
  });

  it('throws on a secret that is not base32 (a stored value gone wrong is not a wrong code)', () => {
    expect(() => verifyCode('not a secret', '123456', { lastUsedStep: null })).toThrow(/base32/);
  });
});
