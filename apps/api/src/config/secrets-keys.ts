import { inspect } from 'node:util';

/** Bytes of an AES-256 key. */
export const SECRET_KEY_BYTES = 32;

// Ids appear inside envelopes (`v1.<id>.…`) and in the comma-separated list, so `.`, `,` and `:` are out.
export const SECRET_KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
// Standard or URL-safe base64 (what `openssl rand -base64 32` prints, or its URL-safe spelling), padding optional.
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/**
 * One encryption key from SECRETS_KEYS. The key bytes stay out of JSON, `util.inspect` and string
 * conversion, so logging the configuration never prints them.
 */
export class SecretKey {
  readonly #material: Buffer;

  constructor(
    readonly id: string,
    material: Buffer,
  ) {
    this.#material = Buffer.from(material);
  }

  /** The raw key; only the cipher should call this. */
  material(): Buffer {
    return this.#material;
  }

  toJSON(): { id: string; key: string } {
    return { id: this.id, key: '[redacted]' };
  }
  toString(): string {
    return `SecretKey(${this.id})`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

export interface ParsedSecretsKeys {
  /** In the order given: the first encrypts, every one decrypts. */
  keys: SecretKey[];
  /** One sentence per mistake; never quotes key material. */
  problems: string[];
}

/**
 * Parse `SECRETS_KEYS`: `<id>:<base64 of 32 bytes>` entries separated by commas, the current key first.
 * Messages name a key by its id or its position, never by its bytes, since they end up in start-up logs.
 */
export function parseSecretsKeys(raw: string): ParsedSecretsKeys {
  const keys: SecretKey[] = [];
  const problems: string[] = [];
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) problems.push('lists no key: write <id>:<base64 of 32 random bytes>, e.g. k1:$(openssl rand -base64 32)');
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${where} has no key id: write <id>:<base64 key>, e.g. k1:$(openssl rand -base64 32)`);
      return;
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!SECRET_KEY_ID.test(id)) {
      problems.push(`${where}: a key id is 1 to 32 letters, digits, _ or -`);
      return;
    }
    const bytes = decodeBase64(encoded);
    if (!bytes) {
      problems.push(`key "${id}" is not valid base64`);
      return;
    }
    if (bytes.length !== SECRET_KEY_BYTES) {
      problems.push(`key "${id}" is ${bytes.length} bytes; it must be ${SECRET_KEY_BYTES} (openssl rand -base64 32)`);
      return;
    }
    // An all-zero (or all-one-byte) key is a placeholder, not a key.
    if (bytes.every((b) => b === bytes[0])) {
      problems.push(`key "${id}" repeats one byte: it is a placeholder, not a random key (openssl rand -base64 32)`);
      return;
    }
    const sameId = keys.find((k) => k.id === id);
    if (sameId) {
      problems.push(`key id "${id}" appears more than once: each key needs its own id`);
      return;
    }
    // Rotating to a copy of the old key would change nothing while looking done.
    const sameBytes = keys.find((k) => k.material().equals(bytes));
    if (sameBytes) {
      problems.push(`keys "${sameBytes.id}" and "${id}" are the same key: a new key must be new random bytes`);
      return;
    }
    keys.push(new SecretKey(id, bytes));
  });
  return { keys: problems.length ? [] : keys, problems };
}

function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const urlSafe = /[-_]/.test(text);
  const bytes = Buffer.from(text, urlSafe ? 'base64url' : 'base64');
  // Node skips characters it cannot read; re-encoding catches a truncated or mangled value.
  const again = bytes.toString(urlSafe ? 'base64url' : 'base64').replace(/=+$/, '');
  return again === text.replace(/=+$/, '') ? bytes : null;
}
