import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * What an address is, for deciding whether a webhook may be sent to it.
 * Anything but `public` reaches the operator's own machine or network, or
 * nobody in particular.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'reserved'
  | 'unspecified'
  | 'multicast'
  | 'broadcast';

// An operator who allows private targets (tests, receivers on the same network)
// allows these; the rest are never a single host to deliver to.
const PRIVATE_CLASSES = new Set<AddressClass>(['loopback', 'private', 'link-local', 'cgnat', 'reserved']);

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: let loopback, private, link-local, CGNAT and reserved addresses through. */
  allowPrivate: boolean;
}

export type UndeliverableReason = 'invalid_url' | 'scheme' | 'unresolvable' | 'address';

export class UndeliverableTargetError extends Error {
  readonly code = 'EWEBHOOKTARGET';
  constructor(
    readonly reason: UndeliverableReason,
    message: string,
    readonly address?: string,
    readonly addressClass?: AddressClass,
  ) {
    super(message);
    this.name = 'UndeliverableTargetError';
  }
}

export function isPermitted(cls: AddressClass, policy: TargetPolicy): boolean {
  return cls === 'public' || (policy.allowPrivate && PRIVATE_CLASSES.has(cls));
}

type V4Range = [base: number, bits: number, cls: AddressClass];

const v4 = (dotted: string): number => dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0);

// First match wins.
const V4_RANGES: V4Range[] = [
  [v4('0.0.0.0'), 8, 'unspecified'], // "this network"; connecting to 0.0.0.0 reaches this host
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('100.64.0.0'), 10, 'cgnat'],
  [v4('169.254.0.0'), 16, 'link-local'], // cloud instance metadata lives here
  [v4('255.255.255.255'), 32, 'broadcast'],
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'],
  [v4('192.0.0.0'), 24, 'reserved'], // IETF protocol assignments
  [v4('192.0.2.0'), 24, 'reserved'], // documentation
  [v4('198.51.100.0'), 24, 'reserved'],
  [v4('203.0.113.0'), 24, 'reserved'],
  [v4('198.18.0.0'), 15, 'reserved'], // benchmarking, often used inside networks
  [v4('192.88.99.0'), 24, 'reserved'], // old 6to4 relays
];

function classifyV4(n: number): AddressClass {
  for (const [base, bits, cls] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((n & mask) >>> 0) === ((base & mask) >>> 0)) return cls;
  }
  return 'public';
}

/** 16 bytes of an IPv6 address as one number; zone ids ("%eth0") are dropped. */
function parseV6(text: string): bigint {
  const address = text.split('%')[0]!;
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (part: string | undefined) =>
    !part
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const n = v4(g);
          return [n >>> 16, n & 0xffff];
        });
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...new Array<number>(tail === undefined ? 0 : 8 - h.length - t.length).fill(0), ...t];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

type V6Range = [prefix: bigint, bits: number, cls: AddressClass | 'embedded-low32' | 'embedded-6to4'];
const v6 = (text: string) => parseV6(text);

// First match wins. Forms that carry an IPv4 address are judged by that address,
// so ::ffff:127.0.0.1 is loopback and 64:ff9b::a9fe:a9fe is link-local.
const V6_RANGES: V6Range[] = [
  [v6('::'), 128, 'unspecified'],
  [v6('::1'), 128, 'loopback'],
  [v6('::ffff:0:0'), 96, 'embedded-low32'], // IPv4-mapped
  [v6('::ffff:0:0:0'), 96, 'embedded-low32'], // IPv4-translated (SIIT)
  [v6('64:ff9b::'), 96, 'embedded-low32'], // NAT64, well-known prefix
  [v6('64:ff9b:1::'), 48, 'private'], // NAT64, local use
  [v6('::'), 96, 'embedded-low32'], // IPv4-compatible (deprecated)
  [v6('100::'), 64, 'reserved'], // discard only
  [v6('2001:db8::'), 32, 'reserved'], // documentation
  [v6('2001::'), 23, 'reserved'], // IETF protocol assignments, Teredo among them
  [v6('2002::'), 16, 'embedded-6to4'],
  [v6('3fff::'), 20, 'reserved'], // documentation
  [v6('5f00::'), 16, 'reserved'], // SRv6 segment ids
  [v6('fc00::'), 7, 'private'], // unique local
  [v6('fe80::'), 10, 'link-local'],
  [v6('fec0::'), 10, 'private'], // site-local (deprecated)
  [v6('ff00::'), 8, 'multicast'],
];
const GLOBAL_UNICAST: [bigint, number] = [v6('2000::'), 3];

const inPrefix = (n: bigint, prefix: bigint, bits: number) => n >> BigInt(128 - bits) === prefix >> BigInt(128 - bits);

function classifyV6(n: bigint): AddressClass {
  for (const [prefix, bits, cls] of V6_RANGES) {
    if (!inPrefix(n, prefix, bits)) continue;
    if (cls === 'embedded-low32') return classifyV4(Number(n & 0xffffffffn));
    if (cls === 'embedded-6to4') return classifyV4(Number((n >> 80n) & 0xffffffffn));
    return cls;
  }
  // Only 2000::/3 is handed out for global unicast; the rest is unassigned.
  return inPrefix(n, ...GLOBAL_UNICAST) ? 'public' : 'reserved';
}

/** The class of a literal IPv4 or IPv6 address (brackets and zone ids allowed). */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare.split('%')[0]!);
  if (family === 4) return classifyV4(v4(bare) >>> 0);
  if (family === 6) return classifyV6(parseV6(bare));
  throw new TypeError(`not an IP address: ${JSON.stringify(address).slice(0, 60)}`);
}

function refuseAddress(address: string, cls: AddressClass, host: string): UndeliverableTargetError {
  const where = host === address ? address : `${host} (${address})`;
  return new UndeliverableTargetError('address', `${where} is a ${cls} address; webhooks go to public addresses only`, address, cls);
}

export interface CheckedUrl {
  url: URL;
  /** The host without IPv6 brackets. */
  host: string;
  /** Set when the host is an IP literal (no name to resolve). */
  literal?: string;
}

/** Scheme and, for an IP literal, the address: what can be judged without DNS. */
export function checkUrlShape(target: string | URL, policy: TargetPolicy): CheckedUrl {
  let url: URL;
  try {
    url = typeof target === 'string' ? new URL(target) : target;
  } catch {
    throw new UndeliverableTargetError('invalid_url', 'not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UndeliverableTargetError('scheme', `webhooks are sent over http: or https:, not ${url.protocol}`);
  }
  // The URL parser has already turned 0x7f.1, 2130706433 and the like into dotted form.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new UndeliverableTargetError('invalid_url', 'the URL has no host');
  if (isIP(host)) {
    const cls = classifyAddress(host);
    if (!isPermitted(cls, policy)) throw refuseAddress(host, cls, host);
    return { url, host, literal: host };
  }
  // RFC 6761: these names are this machine, whatever a resolver says ("localhost." too).
  const name = host.replace(/\.$/, '');
  if (!policy.allowPrivate && (name === 'localhost' || name.endsWith('.localhost'))) {
    throw new UndeliverableTargetError('address', `${host} is this machine; webhooks go to public addresses only`, undefined, 'loopback');
  }
  return { url, host };
}

/**
 * The check when an endpoint is registered (and worth repeating before each
 * delivery): http(s) only, and every address the host resolves to must be
 * public. Every one, since the connection may use any of them.
 */
export async function assertDeliverableUrl(target: string | URL, policy: TargetPolicy): Promise<{ url: URL; addresses: LookupAddress[] }> {
  const checked = checkUrlShape(target, policy);
  if (checked.literal) return { url: checked.url, addresses: [{ address: checked.literal, family: isIP(checked.literal) }] };
  // The same lookup the sockets use, so registration and delivery judge alike.
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    guardedLookup(policy)(checked.host, { all: true, verbatim: true }, (err, found) => {
      if (err instanceof UndeliverableTargetError) return reject(err);
      if (err) return reject(new UndeliverableTargetError('unresolvable', `${checked.host} does not resolve (${err.code ?? err.message})`));
      resolve(found as LookupAddress[]);
    }),
  );
  return { url: checked.url, addresses };
}

/**
 * A `lookup` for http(s).Agent / net.connect that applies the same rule to
 * the addresses the socket is about to connect to. A name checked at
 * registration can be re-pointed at 127.0.0.1 later (DNS rebinding); checking
 * the answer actually used for the connection closes that gap.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => ({ a, cls: classifyAddress(a.address) })).find(({ cls }) => !isPermitted(cls, policy));
      if (refused) return callback(refuseAddress(refused.a.address, refused.cls, hostname), '', 0);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
