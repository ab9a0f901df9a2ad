import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { envSchema, loadConfig } from './config.js';

// .env.example is the operator's reference: every setting, with its default.
const EXAMPLE = fileURLToPath(new URL('../../../../.env.example', import.meta.url));

function exampleValues(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(EXAMPLE, 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

describe('.env.example', () => {
  it('lists exactly the variables the config schema reads', () => {
    expect(Object.keys(exampleValues()).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('shows the defaults: loading it gives the same config as an environment that sets only JWT_SECRET', () => {
    const JWT_SECRET = randomBytes(32).toString('hex');
    expect(loadConfig({ ...exampleValues(), JWT_SECRET })).toEqual(loadConfig({ JWT_SECRET }));
  });

  it('leaves JWT_SECRET empty: it has no default, and a value printed here would be published', () => {
    expect(exampleValues().JWT_SECRET).toBe('');
  });
});
