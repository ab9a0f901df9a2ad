import { randomBytes } from 'node:crypto';
import { normaliseRecoveryCode, RECOVERY_CODE_COUNT, RecoveryCodes } from './recovery-codes.js';

const pepper = () => randomBytes(32).toString('hex');

describe('RecoveryCodes', () => {
  it('issues ten distinct codes of 16 symbols in four groups, with one hash each and no code in the clear', () => {
    const sut = new RecoveryCodes(pepper());
    const { codes, hashes } = sut.newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(hashes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    for (const hash of hashes) expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = hashes.join('\n');
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ''));
    }
  });

  it('accepts each code once: the match is named, and the hashes left no longer accept it', () => {
    const sut = new RecoveryCodes(pepper());
    const { codes, hashes } = sut.newRecoveryCodes();
    let stored = hashes;
    for (const [i, code] of codes.entries()) {
      const used = sut.consumeRecoveryCode(stored, code);
      expect(used).not.toBeNull();
      expect(used!.hash).toBe(hashes[i]);
      expect(used!.remaining).toHaveLength(stored.length - 1);
      expect(used!.remaining).not.toContain(used!.hash);
      stored = used!.remaining;
      expect(sut.consumeRecoveryCode(stored, code)).toBeNull();
    }
    expect(stored).toEqual([]);
  });

  it('reads a code typed in lower case, with spaces or without dashes, and with O, I or L for 0 and 1', () => {
    const sut = new RecoveryCodes(pepper());
    const { codes, hashes } = sut.newRecoveryCodes();
    const code = codes[0]!;
    const bare = code.replace(/-/g, '');
    const variants = [code.toLowerCase(), bare, ` ${bare.slice(0, 8)} ${bare.slice(8)} `, code.replace(/-/g, ' - ')];
    for (const typed of variants) expect(sut.consumeRecoveryCode(hashes, typed)?.hash).toBe(hashes[0]);
    expect(normaliseRecoveryCode('O1IL-0000-0000-0000')).toBe('0111000000000000');
  });

  it('refuses a wrong code, a code of another installation, and what cannot be a code', () => {
    const sut = new RecoveryCodes(pepper());
    const { codes, hashes } = sut.newRecoveryCodes();
    const other = new RecoveryCodes(pepper());
    const theirs = other.newRecoveryCodes();
    // The same codes under another pepper do not match: the pepper keys the hash.
    expect(sut.consumeRecoveryCode(theirs.hashes, theirs.codes[0]!)).toBeNull();
    expect(other.consumeRecoveryCode(hashes, codes[0]!)).toBeNull();
    const flipped = codes[0]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    for (const bad of [flipped, codes[0]!.slice(0, -1), `${codes[0]}0`, 'UUUU-UUUU-UUUU-UUUU', '', 'x'.repeat(10_000)]) {
      expect(sut.consumeRecoveryCode(hashes, bad)).toBeNull();
    }
  });

  it('skips a stored value that is not a hash of ours instead of throwing', () => {
    const sut = new RecoveryCodes(pepper());
    const { codes, hashes } = sut.newRecoveryCodes(2);
    expect(sut.consumeRecoveryCode(['', 'short', hashes[1]!], codes[1]!)?.hash).toBe(hashes[1]);
  });

  it('will not run without a pepper, naming TWO_FACTOR_PEPPER', () => {
    expect(() => new RecoveryCodes(undefined)).toThrow(/TWO_FACTOR_PEPPER/);
    expect(() => new RecoveryCodes('short')).toThrow(/TWO_FACTOR_PEPPER/);
  });
});
