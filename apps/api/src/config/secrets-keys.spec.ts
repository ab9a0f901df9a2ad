import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { parseSecretsKeys } from './secrets-keys.js';

const JWT_SECRET = randomBytes(32).toString('hex');
const b64 = (bytes = 32) => randomBytes(bytes).toString('base64');

function problemsOf(SECRETS_KEYS: string): string {
  try {
    loadConfig({ JWT_SECRET, SECRETS_KEYS });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.join('\n');
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('SECRETS_KEYS', () => {
  it('reads <id>:<base64> entries, the current key first, in standard or URL-safe base64', () => {
    const k2 = randomBytes(32);
    const k1 = randomBytes(32);
    const { secrets } = loadConfig({ JWT_SECRET, SECRETS_KEYS: ` k2:${k2.toString('base64')} , k1:${k1.toString('base64url')},` });
    expect(secrets.keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(secrets.keys[0]!.material().equals(k2)).toBe(true);
    expect(secrets.keys[1]!.material().equals(k1)).toBe(true);
  });

  it('is optional: unset or empty means not configured', () => {
    expect(loadConfig({ JWT_SECRET }).secrets.keys).toEqual([]);
    expect(loadConfig({ JWT_SECRET, SECRETS_KEYS: '' }).secrets.keys).toEqual([]);
  });

  it.each([
    ['a key of the wrong length', () => `k1:${b64(16)}`, /^SECRETS_KEYS: key "k1" is 16 bytes; it must be 32/],
    ['bad base64', () => `k1:${b64().slice(0, -2)}*!`, /^SECRETS_KEYS: key "k1" is not valid base64/],
    ['truncated base64', () => `k1:${b64().slice(0, -3)}`, /^SECRETS_KEYS: key "k1" is not valid base64/],
    ['a duplicate id', () => `k1:${b64()},k1:${b64()}`, /^SECRETS_KEYS: key id "k1" appears more than once/],
    ['a missing id', () => b64(), /^SECRETS_KEYS: entry 1 has no key id/],
    ['an id with a dot', () => `k.1:${b64()}`, /^SECRETS_KEYS: entry 1: a key id is 1 to 32 letters/],
    ['the same key under two ids', () => ((k) => `k2:${k},k1:${k}`)(b64()), /^SECRETS_KEYS: keys "k2" and "k1" are the same key/],
    ['a placeholder key of zeros', () => `k1:${Buffer.alloc(32).toString('base64')}`, /^SECRETS_KEYS: key "k1" repeats one byte/],
    ['no key at all', () => ' , ', /^SECRETS_KEYS: lists no key/],
  ])('stops the API on %s, saying what is wrong', (_, value, message) => {
    expect(problemsOf(value())).toMatch(message);
  });

  it('lists every mistake at once and never prints key material', () => {
    const short = b64(16);
    const problems = problemsOf(`k1:${short},k2:${b64()},k2:${b64()}`);
    expect(problems.split('\n')).toHaveLength(2);
    expect(problems).not.toContain(short);
  });

  it('keeps key bytes out of JSON and inspect, so a logged config shows ids only', () => {
    const material = randomBytes(32);
    const config = loadConfig({ JWT_SECRET, SECRETS_KEYS: `k9:${material.toString('base64')}` });
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.secrets.keys[0])]) {
      expect(shown).toContain('k9');
      expect(shown).not.toContain(material.toString('base64'));
      expect(shown).not.toContain(material.toString('hex'));
    }
  });

  it('parses on its own too, for tools that read the variable', () => {
    expect(parseSecretsKeys(`a:${b64()}`).keys.map((k) => k.id)).toEqual(['a']);
  });
});

describe('TWO_FACTOR_PEPPER', () => {
  it('is optional, at least 32 characters, and no placeholder', () => {
    const pepper = randomBytes(32).toString('hex');
    expect(loadConfig({ JWT_SECRET }).twoFactor.pepper).toBeUndefined();
    expect(loadConfig({ JWT_SECRET, TWO_FACTOR_PEPPER: pepper }).twoFactor.pepper).toBe(pepper);
    expect(() => loadConfig({ JWT_SECRET, TWO_FACTOR_PEPPER: 'short' })).toThrow(/TWO_FACTOR_PEPPER: must be at least 32/);
    expect(() => loadConfig({ JWT_SECRET, TWO_FACTOR_PEPPER: 'change-me-'.repeat(4) })).toThrow(/TWO_FACTOR_PEPPER: is a published example/);
  });
});

describe('.env.example', () => {
  const text = readFileSync(fileURLToPath(new URL('../../../../.env.example', import.meta.url)), 'utf8');

  it('leaves SECRETS_KEYS and TWO_FACTOR_PEPPER empty: a value printed there would be published', () => {
    expect(text).toMatch(/^SECRETS_KEYS=$/m);
    expect(text).toMatch(/^TWO_FACTOR_PEPPER=$/m);
  });
});
