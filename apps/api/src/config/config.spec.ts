import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, parseDuration } from './config.js';

// The one setting without a default.
const JWT_SECRET = randomBytes(32).toString('hex');

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.join('\n');
    throw e;
  }
  throw new Error('loadConfig accepted it');
}

describe('loadConfig', () => {
  it('fills every documented default from an environment that sets only JWT_SECRET', () => {
    const sut = loadConfig({ JWT_SECRET });
    expect(sut.port).toBe(3000);
    expect(sut.claimWindowMs).toBe(15 * 60_000);
    expect(sut.reviewWindowMs).toBe(72 * 3_600_000);
    expect(sut.platformFeeBps).toBe(2000);
    expect(sut.admin.email).toBe('admin@handoff.local');
    expect(sut.role).toBe('all');
    expect(sut.jwtSecret).toBe(JWT_SECRET);
  });

  it('listens on loopback and believes X-Forwarded-For from loopback only, unless told otherwise', () => {
    const sut = loadConfig({ JWT_SECRET });
    expect(sut.host).toBe('127.0.0.1');
    expect(sut.trustProxy).toBe('loopback');
    expect(loadConfig({ JWT_SECRET, HOST: '0.0.0.0', TRUST_PROXY: '10.1.2.0/24' })).toMatchObject({ host: '0.0.0.0', trustProxy: '10.1.2.0/24' });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ JWT_SECRET, PORT: '' }).port).toBe(3000);
  });

  it.each(['development', 'test', 'production'])('refuses to start without JWT_SECRET in %s, naming it', (NODE_ENV) => {
    expect(problemsOf({ NODE_ENV })).toMatch(/^JWT_SECRET: is not set/);
    expect(problemsOf({ NODE_ENV, JWT_SECRET: '' })).toMatch(/^JWT_SECRET: is not set/);
  });

  it.each([
    ['development', 'handoff-development-secret-change-me-0123456789'],
    ['test', 'handoff-development-secret-change-me-0123456789'],
    ['production', 'handoff-development-secret-change-me-0123456789'],
    // infra/k8s/secret.example.yaml's placeholder
    ['production', 'CHANGE-ME-to-64-random-hex-characters-0000000000000000000000000000'],
  ])('refuses a published secret in %s too, naming JWT_SECRET', (NODE_ENV, secret) => {
    expect(problemsOf({ NODE_ENV, JWT_SECRET: secret })).toMatch(/^JWT_SECRET: is a published example value/);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'not a url'],
    ['CLAIM_WINDOW', 'soon'],
    ['HANDOFF_ROLE', 'boss'],
    ['JWT_SECRET', 'short'],
    ['PLATFORM_FEE_BPS', '1.5'],
    ['REDIS_PREFIX', 'has space'],
    ['LOGIN_LOCKOUT_MAX', '10ms'],
    ['LOGIN_ACCOUNT_LIMIT', '0'],
  ])('refuses %s=%s and names the variable', (name, value) => {
    expect(problemsOf({ JWT_SECRET, [name]: value })).toContain(name);
  });

  it('splits the CORS allow-list', () => {
    expect(loadConfig({ JWT_SECRET, CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['1500', 1500],
    ['15m', 900_000],
    ['2s', 2000],
    ['72h', 259_200_000],
    ['1d', 86_400_000],
    ['250ms', 250],
  ])('%s is %d ms', (raw, ms) => expect(parseDuration(raw)).toBe(ms));

  it('rejects prose', () => expect(parseDuration('a while')).toBeNull());
});
