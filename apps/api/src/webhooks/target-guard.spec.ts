import type { LookupAddress } from 'node:dns';
import { randomBytes } from 'node:crypto';
import { loadConfig as loadEnv } from '../config/config.js';
import {
  type AddressClass,
  assertDeliverableUrl,
  checkUrlShape,
  classifyAddress,
  guardedLookup,
  isPermitted,
  UndeliverableTargetError,
} from './target-guard.js';

// Every configuration needs a private JWT secret; these tests are about other settings.
const loadConfig = (env: Record<string, string>) => loadEnv({ JWT_SECRET: randomBytes(32).toString('hex'), ...env });

const STRICT = { allowPrivate: false };
const OPEN = { allowPrivate: true };

// Classification only: nothing below is ever connected to.
const LITERALS: [AddressClass, string[]][] = [
  ['unspecified', ['0.0.0.0', '0.1.2.3', '::', '0:0:0:0:0:0:0:0', '::ffff:0.0.0.0']],
  ['loopback', ['127.0.0.1', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::127.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::', '::ffff:0:127.0.0.1']],
  [
    'private',
    ['10.0.0.1', '10.255.255.255', '172.16.0.0', '172.31.255.255', '192.168.0.1', '192.168.255.255', '::ffff:10.1.2.3', '::ffff:c0a8:101', 'fc00::1', 'fd12:3456:789a::1', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fec0::1', '64:ff9b:1::a00:1', '2002:c0a8:101::1'],
  ],
  ['link-local', ['169.254.0.1', '169.254.169.254', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', 'fe80::1', 'fe80::1%eth0', 'febf:ffff::1']],
  ['cgnat', ['100.64.0.0', '100.100.100.100', '100.127.255.255', '::ffff:100.64.0.1']],
  ['multicast', ['224.0.0.1', '239.255.255.250', '::ffff:224.0.0.251', 'ff02::1', 'ff05::1:3']],
  ['broadcast', ['255.255.255.255', '::ffff:255.255.255.255']],
  ['reserved', ['240.0.0.1', '198.18.0.1', '198.19.255.255', '192.0.2.1', '198.51.100.7', '203.0.113.9', '192.0.0.170', '192.88.99.1', '2001:db8::1', '2001::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '100::1', '3fff::1', '5f00::1', '4000::1', 'e000::1']],
  ['public', ['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '169.253.255.255', '192.167.255.255', '198.17.255.255', '223.255.255.255', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001::200e', '2002:808:808::1', '64:ff9b::808:808']],
];

describe('classifyAddress', () => {
  it.each(LITERALS.flatMap(([cls, addresses]) => addresses.map((a) => [a, cls] as const)))('calls %s %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it('takes bracketed IPv6 as URLs write it', () => {
    expect(classifyAddress('[::1]')).toBe('loopback');
  });

  it('refuses what is not an address', () => {
    expect(() => classifyAddress('localhost')).toThrow(TypeError);
    expect(() => classifyAddress('1.2.3')).toThrow(TypeError);
  });
});

describe('isPermitted', () => {
  it('lets public through always, the private kinds only when allowed, and no-one-in-particular never', () => {
    const allowedWhenOpen = new Set<AddressClass>(['public', 'loopback', 'private', 'link-local', 'cgnat', 'reserved']);
    for (const [cls] of LITERALS) {
      expect(isPermitted(cls, STRICT)).toBe(cls === 'public');
      expect(isPermitted(cls, OPEN)).toBe(allowedWhenOpen.has(cls));
    }
  });
});

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof UndeliverableTargetError) return { reason: err.reason, cls: err.addressClass };
    throw err;
  }
  return 'allowed';
};

describe('checkUrlShape', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', 'loopback'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['https://10.0.0.5/hook', 'private'],
    ['https://[fd00::1]/hook', 'private'],
    ['http://100.64.1.1/', 'cgnat'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://localhost:3000/', 'loopback'],
    ['http://LOCALHOST./', 'loopback'],
    ['http://api.localhost/', 'loopback'],
    ['http://user:pass@127.0.0.1/', 'loopback'],
  ])('refuses %s as %s', (url, cls) => {
    expect(refusal(() => checkUrlShape(url, STRICT))).toEqual({ reason: 'address', cls });
  });

  it.each(['ftp://example.com/', 'file:///etc/passwd', 'gopher://example.com/', 'javascript:alert(1)', 'data:text/plain,x', 'ws://example.com/', 'dict://127.0.0.1:6379/'])(
    'refuses the scheme of %s',
    (url) => {
      expect(refusal(() => checkUrlShape(url, OPEN))).toMatchObject({ reason: 'scheme' });
    },
  );

  it.each(['', 'not a url', 'http://', '//example.com/x'])('refuses %j as no URL', (url) => {
    expect(refusal(() => checkUrlShape(url, OPEN))).toMatchObject({ reason: 'invalid_url' });
  });

  it('lets public literals and names (judged later, at lookup) through', () => {
    expect(checkUrlShape('https://8.8.8.8/hook', STRICT)).toMatchObject({ literal: '8.8.8.8' });
    expect(checkUrlShape('https://[2606:4700:4700::1111]/hook', STRICT)).toMatchObject({ literal: '2606:4700:4700::1111' });
    const named = checkUrlShape('https://hooks.example.com/x', STRICT);
    expect(named.host).toBe('hooks.example.com');
    expect(named.literal).toBeUndefined();
  });

  it('lets private targets through when the operator allows them, but never broadcast, multicast or 0.0.0.0', () => {
    expect(refusal(() => checkUrlShape('http://127.0.0.1:8080/', OPEN))).toBe('allowed');
    expect(refusal(() => checkUrlShape('http://localhost:8080/', OPEN))).toBe('allowed');
    expect(refusal(() => checkUrlShape('http://10.1.2.3/', OPEN))).toBe('allowed');
    expect(refusal(() => checkUrlShape('http://0.0.0.0:8080/', OPEN))).toEqual({ reason: 'address', cls: 'unspecified' });
    expect(refusal(() => checkUrlShape('http://255.255.255.255/', OPEN))).toEqual({ reason: 'address', cls: 'broadcast' });
    expect(refusal(() => checkUrlShape('http://[ff02::1]/', OPEN))).toEqual({ reason: 'address', cls: 'multicast' });
  });
});

describe('assertDeliverableUrl', () => {
  it('refuses localhost by name, and resolves other names with the lookup the sockets use (below)', async () => {
    await expect(assertDeliverableUrl('http://localhost:1/', STRICT)).rejects.toMatchObject({ reason: 'address', addressClass: 'loopback' });
    const { addresses } = await assertDeliverableUrl('http://localhost:1/', OPEN);
    expect(addresses.map((a) => classifyAddress(a.address))).toContain('loopback');
  });

  it('calls a name that does not resolve unresolvable', async () => {
    await expect(assertDeliverableUrl('https://no-such-host.invalid/hook', STRICT)).rejects.toMatchObject({ reason: 'unresolvable' });
  });

  it('checks literals without a lookup', async () => {
    await expect(assertDeliverableUrl('http://[::ffff:169.254.169.254]/', STRICT)).rejects.toMatchObject({ addressClass: 'link-local' });
    expect((await assertDeliverableUrl('https://1.1.1.1/', STRICT)).addresses).toEqual([{ address: '1.1.1.1', family: 4 }]);
  });
});

describe('guardedLookup', () => {
  const lookupWith = (policy: { allowPrivate: boolean }, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((resolve) =>
      guardedLookup(policy)('localhost', { all }, (err, address) => resolve({ err, address })),
    );

  it('fails the connection when the name resolves to a refused address', async () => {
    for (const all of [true, false]) {
      const { err } = await lookupWith(STRICT, all);
      expect(err).toBeInstanceOf(UndeliverableTargetError);
      expect(err).toMatchObject({ code: 'EWEBHOOKTARGET', addressClass: 'loopback' });
    }
  });

  it('answers as dns.lookup would when the address is allowed', async () => {
    const many = await lookupWith(OPEN, true);
    expect(many.err).toBeNull();
    expect(Array.isArray(many.address) && many.address.some((a) => a.address === '127.0.0.1')).toBe(true);
    const one = await lookupWith(OPEN, false);
    expect(one.err).toBeNull();
    expect(typeof one.address).toBe('string');
  });
});

describe('webhook configuration', () => {
  it('refuses private targets unless WEBHOOK_ALLOW_PRIVATE_TARGETS says otherwise', () => {
    expect(loadConfig({}).webhooks).toMatchObject({ allowPrivateTargets: false, timeoutMs: 15_000 });
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT: '5s' }).webhooks).toMatchObject({ allowPrivateTargets: true, timeoutMs: 5_000 });
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'sometimes' })).toThrow('WEBHOOK_ALLOW_PRIVATE_TARGETS');
    expect(() => loadConfig({ WEBHOOK_TIMEOUT: '5m' })).toThrow('WEBHOOK_TIMEOUT must be between 1s and 60s');
  });

  it('retries for 24 h from 30 s, doubling up to 3 h, and disables after 24 h of failures, unless told otherwise', () => {
    expect(loadConfig({}).webhooks).toMatchObject({ retry: { baseMs: 30_000, maxDelayMs: 3 * 3_600_000, windowMs: 86_400_000 }, disableAfterMs: 86_400_000 });
    expect(loadConfig({ WEBHOOK_RETRY_BASE: '50', WEBHOOK_RETRY_WINDOW: '10m', WEBHOOK_DISABLE_AFTER: '2s' }).webhooks).toMatchObject({
      retry: { baseMs: 50, windowMs: 600_000 },
      disableAfterMs: 2_000,
    });
    expect(() => loadConfig({ WEBHOOK_RETRY_BASE: '1' })).toThrow('WEBHOOK_RETRY_BASE must be between 10ms and 1h');
    expect(() => loadConfig({ WEBHOOK_RETRY_WINDOW: '30d' })).toThrow('WEBHOOK_RETRY_WINDOW must be between 100ms and 7d');
  });
});
