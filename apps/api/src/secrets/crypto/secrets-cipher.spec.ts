import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { SecretKey } from '../../config/secrets-keys.js';
import { secretAad, SecretDecryptError, SecretsCipher, SecretsNotConfiguredError } from './secrets-cipher.js';

const key = (id: string) => new SecretKey(id, randomBytes(32));
const AAD = secretAad('task', '6f1c2a9e-0000-4000-8000-000000000001', 'apiKey');

/** The failure `fn` throws, as a SecretDecryptError. */
function failure(fn: () => unknown): SecretDecryptError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SecretDecryptError) return e;
    throw e;
  }
  throw new Error('expected a SecretDecryptError');
}

/** Flip one bit of one base64url part of an envelope, keeping it well-formed. */
function flipBit(envelope: string, part: 2 | 3 | 4): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretsCipher', () => {
  const k1 = key('k1');
  const sut = new SecretsCipher([k1]);

  it('round-trips any text, including empty and non-ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (plain) => {
        expect(sut.decrypt(sut.encrypt(plain, AAD), AAD).reveal()).toBe(plain);
      }),
    );
    expect(sut.decrypt(sut.encrypt('', AAD), AAD).reveal()).toBe('');
  });

  it('writes v1.<key id>.<iv>.<ciphertext>.<tag> with a fresh 96-bit IV every time', () => {
    const a = sut.encrypt('hunter2', AAD);
    const b = sut.encrypt('hunter2', AAD);
    expect(a).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(a).not.toContain('hunter2');
    expect(Buffer.from(a.split('.')[3]!, 'base64url').toString()).not.toContain('hunter2');
  });

  it('refuses to open a value with another AAD: copied to another row or field, it does not decrypt', () => {
    const sealed = sut.encrypt('s3cret', AAD);
    for (const other of [
      secretAad('task', '6f1c2a9e-0000-4000-8000-000000000002', 'apiKey'),
      secretAad('task', '6f1c2a9e-0000-4000-8000-000000000001', 'login'),
      secretAad('template', '6f1c2a9e-0000-4000-8000-000000000001', 'apiKey'),
    ]) {
      expect(failure(() => sut.decrypt(sealed, other)).reason).toBe('rejected');
    }
  });

  it.each([
    ['IV', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ] as const)('refuses a value whose %s was altered', (_, part) => {
    const sealed = sut.encrypt('s3cret', AAD);
    const e = failure(() => sut.decrypt(flipBit(sealed, part), AAD));
    expect(e.reason).toBe('rejected');
    expect(e.message).toMatch(/altered/);
  });

  it('refuses a value relabelled with another key id, even one holding the same key bytes (the header is authenticated)', () => {
    const twin = new SecretKey('k2', k1.material());
    const both = new SecretsCipher([twin, k1]);
    const sealed = both.encrypt('s3cret', AAD);
    expect(both.decrypt(sealed, AAD).reveal()).toBe('s3cret');
    expect(failure(() => both.decrypt(sealed.replace(/^v1\.k2\./, 'v1.k1.'), AAD)).reason).toBe('rejected');
  });

  it('refuses malformed values without echoing them', () => {
    const sealed = sut.encrypt('s3cret', AAD);
    const [v, id, iv, ct, tag] = sealed.split('.') as [string, string, string, string, string];
    const truncatedTag = Buffer.from(tag, 'base64url').subarray(0, 12).toString('base64url');
    const shortIv = Buffer.from(iv, 'base64url').subarray(0, 8).toString('base64url');
    // 16 bytes in 22 characters leave 4 unused bits in the last one: flipping one spells the same bytes differently.
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelledTag = tag.slice(0, -1) + B64[B64.indexOf(tag.at(-1)!) ^ 1];
    for (const bad of [
      '',
      's3cret',
      `v2.${id}.${iv}.${ct}.${tag}`,
      `${v}.${id}.${iv}.${ct}`,
      `${v}.${id}.${iv}.${ct}.${tag}.x`,
      `${v}..${iv}.${ct}.${tag}`,
      `${v}.${id}.${iv}.${ct}.${truncatedTag}`,
      `${v}.${id}.${shortIv}.${ct}.${tag}`,
      `${v}.${id}.${iv}.${ct}!.${tag}`,
      `${v}.${id}.${iv}.${ct}.${tag}=`,
      `${v}.${id}.${iv}.${ct}.${respelledTag}`,
    ]) {
      const e = failure(() => sut.decrypt(bad, AAD));
      expect(e.reason).toBe('malformed');
      if (bad) expect(e.message).not.toContain(bad);
    }
  });

  it('names an unknown key id and the keys it has, so the operator knows which key to put back', () => {
    const old = new SecretsCipher([key('k0')]);
    const e = failure(() => sut.decrypt(old.encrypt('s3cret', AAD), AAD));
    expect(e.reason).toBe('unknown-key');
    expect(e.keyId).toBe('k0');
    expect(e.message).toMatch(/key "k0", which SECRETS_KEYS no longer lists \(it has k1\)/);
  });

  it('refuses a value sealed under the same key id by another installation (other key bytes)', () => {
    const elsewhere = new SecretsCipher([key('k1')]);
    expect(failure(() => sut.decrypt(elsewhere.encrypt('s3cret', AAD), AAD)).reason).toBe('rejected');
  });

  it('will not start without a key, naming SECRETS_KEYS', () => {
    expect(() => new SecretsCipher([])).toThrow(SecretsNotConfiguredError);
    expect(() => new SecretsCipher([])).toThrow(/SECRETS_KEYS is not set/);
  });

  it('accepts a Redacted value to seal, so a secret read need not be unwrapped to store it again', () => {
    const opened = sut.decrypt(sut.encrypt('s3cret', AAD), AAD);
    expect(sut.decrypt(sut.encrypt(opened, AAD), AAD).reveal()).toBe('s3cret');
  });
});

describe('key rotation', () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const before = new SecretsCipher([k1]);
  const after = new SecretsCipher([k2, k1]);

  it('keeps opening values sealed with k1 after k2 becomes current, and seals new ones with k2', () => {
    const old = before.encrypt('s3cret', AAD);
    expect(after.decrypt(old, AAD).reveal()).toBe('s3cret');
    expect(after.keyIdOf(after.encrypt('new', AAD))).toBe('k2');
    expect(after.needsRotation(old)).toBe(true);
    expect(before.needsRotation(old)).toBe(false);
  });

  it('rotates a k1 value to k2, which opens once k1 is dropped; a current value is returned as it is', () => {
    const old = before.encrypt('s3cret', AAD);
    const rotated = after.rotate(old, AAD);
    expect(after.keyIdOf(rotated)).toBe('k2');
    expect(after.needsRotation(rotated)).toBe(false);
    expect(after.rotate(rotated, AAD)).toBe(rotated);
    const k2Only = new SecretsCipher([k2]);
    expect(k2Only.decrypt(rotated, AAD).reveal()).toBe('s3cret');
    expect(failure(() => k2Only.decrypt(old, AAD)).reason).toBe('unknown-key');
  });

  it('will not rotate a value under the wrong AAD into one that opens', () => {
    const old = before.encrypt('s3cret', AAD);
    expect(failure(() => after.rotate(old, secretAad('task', 'other', 'apiKey'))).reason).toBe('rejected');
  });
});

describe('secretAad', () => {
  it('names owner, id and field, and refuses parts that would make two owners read alike', () => {
    expect(secretAad('task', 'abc', 'apiKey')).toBe('task:abc:field:apiKey');
    expect(() => secretAad('task', 'a:b', 'apiKey')).toThrow(/id/);
    expect(() => secretAad('task', 'abc', '')).toThrow(/field/);
    expect(() => secretAad('task one', 'abc', 'x')).toThrow(/owner/);
  });
});
