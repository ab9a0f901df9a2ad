import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SECRET_KEY_BYTES, SECRET_KEY_ID, type SecretKey } from '../../config/secrets-keys.js';
import { Redacted } from './redacted.js';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
// 96-bit random IVs are GCM's recommended size; NIST caps one key at 2^32 of them, far beyond our volumes,
// and rotation resets the count.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;
// Envelope parts are separated by dots, AAD parts by colons: neither may occur inside a part.
const AAD_PART = /^[^:\s]+$/;

export type SecretDecryptReason = 'malformed' | 'unknown-key' | 'rejected';

export class SecretDecryptError extends Error {
  constructor(
    readonly reason: SecretDecryptReason,
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
    this.name = 'SecretDecryptError';
  }
}

/** SECRETS_KEYS is missing: raised when a feature needing it is used, naming the variable. */
export class SecretsNotConfiguredError extends Error {
  constructor() {
    super('SECRETS_KEYS is not set, so secret fields cannot be stored or read: npm start writes one into .env; elsewhere set k1:$(openssl rand -base64 32)');
    this.name = 'SecretsNotConfiguredError';
  }
}

/**
 * What a sealed value belongs to, e.g. `task:<id>:field:apiKey`. It is authenticated with the value, so
 * a ciphertext copied to another row or field does not open there.
 */
export function secretAad(owner: string, id: string, field: string): string {
  for (const [name, part] of [
    ['owner', owner],
    ['id', id],
    ['field', field],
  ] as const) {
    if (!AAD_PART.test(part)) throw new Error(`secretAad: ${name} must be non-empty without ':' or spaces`);
  }
  return `${owner}:${id}:field:${field}`;
}

interface Envelope {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * AES-256-GCM envelopes with the key id in each value, so keys can rotate:
 * `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts). The first key seals; any listed key opens.
 */
export class SecretsCipher {
  private readonly current: SecretKey;
  private readonly byId: ReadonlyMap<string, SecretKey>;

  constructor(keys: readonly SecretKey[]) {
    const [current] = keys;
    if (!current) throw new SecretsNotConfiguredError();
    for (const k of keys) {
      if (k.material().length !== SECRET_KEY_BYTES) throw new Error(`secret key "${k.id}" must be ${SECRET_KEY_BYTES} bytes`);
    }
    this.current = current;
    this.byId = new Map(keys.map((k) => [k.id, k]));
    if (this.byId.size !== keys.length) throw new Error('secret key ids must be unique');
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  get keyIds(): readonly string[] {
    return [...this.byId.keys()];
  }

  encrypt(plain: string | Redacted<string>, aad: string): string {
    const text = typeof plain === 'string' ? plain : plain.reveal();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.material(), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(this.current.id, aad));
    const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
  }

  /** Open a value sealed for `aad`; throws SecretDecryptError (never returns garbage) when it cannot. */
  decrypt(envelope: string, aad: string): Redacted<string> {
    const parts = parse(envelope);
    const key = this.byId.get(parts.keyId);
    if (!key) {
      throw new SecretDecryptError(
        'unknown-key',
        `the secret is sealed with key "${parts.keyId}", which SECRETS_KEYS no longer lists (it has ${this.keyIds.join(', ')}): add that key back to read it`,
        parts.keyId,
      );
    }
    const decipher = createDecipheriv(ALGORITHM, key.material(), parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(parts.keyId, aad));
    decipher.setAuthTag(parts.tag);
    try {
      return new Redacted(Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8'));
    } catch {
      throw new SecretDecryptError('rejected', `the secret does not authenticate under key "${parts.keyId}": it was altered, or belongs to another owner or field`, parts.keyId);
    }
  }

  /** The key a value is sealed with (throws on a malformed value). */
  keyIdOf(envelope: string): string {
    return parse(envelope).keyId;
  }

  needsRotation(envelope: string): boolean {
    return this.keyIdOf(envelope) !== this.current.id;
  }

  /** The value sealed with the current key: the same string when it already is, else decrypted and sealed again. */
  rotate(envelope: string, aad: string): string {
    if (!this.needsRotation(envelope)) return envelope;
    return this.encrypt(this.decrypt(envelope, aad), aad);
  }
}

// The header is authenticated too, so the version and key id cannot be swapped without failing the tag.
function associatedData(keyId: string, aad: string): Buffer {
  return Buffer.from(`${VERSION}.${keyId}.${aad}`, 'utf8');
}

function parse(envelope: string): Envelope {
  const parts = envelope.split('.');
  const malformed = () => new SecretDecryptError('malformed', `the value is not a ${VERSION} secret envelope (${VERSION}.<key id>.<iv>.<ciphertext>.<tag>)`);
  if (parts.length !== 5 || parts[0] !== VERSION) throw malformed();
  const [, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  if (!SECRET_KEY_ID.test(keyId)) throw malformed();
  const decoded = [iv, ciphertext, tag].map(decodeB64url);
  const [ivBytes, ciphertextBytes, tagBytes] = decoded;
  if (!ivBytes || !ciphertextBytes || !tagBytes) throw malformed();
  // Node would otherwise accept a truncated tag or an IV of another size.
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw malformed();
  return { keyId, iv: ivBytes, ciphertext: ciphertextBytes, tag: tagBytes };
}

function decodeB64url(text: string): Buffer | null {
  if (!B64URL.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  // Only the canonical spelling: Node ignores stray trailing bits, which would make one value have many spellings.
  return bytes.toString('base64url') === text ? bytes : null;
}
