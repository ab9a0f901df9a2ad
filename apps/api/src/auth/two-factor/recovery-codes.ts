import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
// Crockford's base32: no I, L, O or U, so a code read off paper is not misread. 16 symbols = 80 bits.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SYMBOLS = 16;
const GROUP = 4;
// Domain separation: the pepper could one day key other hashes too.
const CONTEXT = 'handoff recovery code v1\0';

export interface NewRecoveryCodes {
  /** Shown to the user once, formatted XXXX-XXXX-XXXX-XXXX; never stored. */
  codes: string[];
  /** What to store, one per code, in the same order. */
  hashes: string[];
}

export interface ConsumedRecoveryCode {
  /** The stored hash that matched: delete exactly it (DELETE … WHERE hash = $1, expecting one row). */
  hash: string;
  /** The hashes left, in their order. */
  remaining: string[];
}

/**
 * Single-use recovery codes, hashed with HMAC-SHA-256 under a server pepper (TWO_FACTOR_PEPPER).
 * A fast keyed hash rather than argon2: each code carries 80 random bits, so no hash needs slowing down
 * to resist guessing (a guess costs 2^80 tries either way), while checking one input against ten argon2
 * hashes would cost ~10 × 50 ms of CPU per attempt, an easy way to tie up the API. The pepper means a
 * copy of the database alone does not even allow that guessing.
 */
export class RecoveryCodes {
  private readonly pepper: Buffer;

  constructor(pepper: string | undefined) {
    if (!pepper || pepper.length < 32) throw new Error('TWO_FACTOR_PEPPER is not set (at least 32 characters), so recovery codes cannot be issued or checked: npm start writes one into .env; elsewhere set openssl rand -hex 32');
    this.pepper = Buffer.from(pepper, 'utf8');
  }

  newRecoveryCodes(count: number = RECOVERY_CODE_COUNT): NewRecoveryCodes {
    const codes = Array.from({ length: count }, randomCode);
    return { codes, hashes: codes.map((c) => this.hash(normaliseRecoveryCode(c)!)) };
  }

  /**
   * Which stored hash `input` matches, if any. Every hash is compared (in constant time), so the time
   * taken says nothing about which one, or whether one, matched. The caller removes the match.
   */
  consumeRecoveryCode(hashes: readonly string[], input: string): ConsumedRecoveryCode | null {
    const normal = normaliseRecoveryCode(input);
    if (normal === null) return null;
    const candidate = Buffer.from(this.hash(normal), 'base64url');
    let matched = -1;
    hashes.forEach((stored, i) => {
      const bytes = Buffer.from(stored, 'base64url');
      // timingSafeEqual needs equal lengths; a stored value of another length cannot match anyway.
      const equal = bytes.length === candidate.length && timingSafeEqual(bytes, candidate);
      if (equal && matched < 0) matched = i;
    });
    if (matched < 0) return null;
    return { hash: hashes[matched]!, remaining: hashes.filter((_, i) => i !== matched) };
  }

  private hash(normal: string): string {
    return createHmac('sha256', this.pepper).update(CONTEXT).update(normal).digest('base64url');
  }
}

/**
 * The code as typed, reduced to its 16 symbols: case, spaces and dashes ignored, and the letters people
 * write for digits (O for 0, I and L for 1) read as those digits. Null if it cannot be a recovery code.
 */
export function normaliseRecoveryCode(input: string): string | null {
  // Far longer than any formatting of 16 symbols: not worth normalising.
  if (input.length > 64) return null;
  const normal = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (normal.length !== SYMBOLS) return null;
  for (const ch of normal) if (!ALPHABET.includes(ch)) return null;
  return normal;
}

function randomCode(): string {
  // 256 is a multiple of 32, so taking each byte modulo 32 keeps every symbol equally likely.
  const bytes = randomBytes(SYMBOLS);
  let code = '';
  for (let i = 0; i < SYMBOLS; i++) {
    if (i > 0 && i % GROUP === 0) code += '-';
    code += ALPHABET[bytes[i]! % ALPHABET.length];
  }
  return code;
}
