import { ConfigError, loadConfig, parseDuration } from './config.js';

describe('loadConfig', () => {
  it('fills every documented default from an empty environment', () => {
    const sut = loadConfig({});
    expect(sut.port).toBe(3000);
    expect(sut.claimWindowMs).toBe(15 * 60_000);
    expect(sut.reviewWindowMs).toBe(72 * 3_600_000);
    expect(sut.platformFeeBps).toBe(2000);
    expect(sut.admin.email).toBe('admin@handoff.local');
    expect(sut.role).toBe('all');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
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
  ])('refuses %s=%s and names the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      expect((e as ConfigError).problems.join('\n')).toContain(name);
    }
  });

  it('refuses the development secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
  });

  it('splits the CORS allow-list', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins).toEqual([
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
