/**
 * Resolves `endpointType: 'auto'` once at client construction (SPEC §4): which form of endpoint
 * the server should put in MOVING notifications for this client.
 */
import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export type ResolvedEndpointType = 'internal-ip' | 'internal-fqdn' | 'external-ip' | 'external-fqdn';

/** Resolves a name to all its addresses; the default is `dns.promises.lookup(host, { all: true })`. */
export type LookupAll = (host: string) => Promise<ReadonlyArray<{ readonly address: string }>>;

export interface ResolveEndpointTypeOptions {
  lookup?: LookupAll;
  /** Bound on the DNS lookup; past it the host counts as external. Default 2000 ms. */
  timeoutMs?: number;
}

const INTERNAL = new BlockList();
INTERNAL.addSubnet('10.0.0.0', 8, 'ipv4');
INTERNAL.addSubnet('172.16.0.0', 12, 'ipv4');
INTERNAL.addSubnet('192.168.0.0', 16, 'ipv4');
INTERNAL.addSubnet('127.0.0.0', 8, 'ipv4');
INTERNAL.addSubnet('169.254.0.0', 16, 'ipv4');
INTERNAL.addSubnet('100.64.0.0', 10, 'ipv4');
INTERNAL.addAddress('::1', 'ipv6');
INTERNAL.addSubnet('fc00::', 7, 'ipv6');
INTERNAL.addSubnet('fe80::', 10, 'ipv6');

const defaultLookup: LookupAll = (host) => dns.lookup(host, { all: true });

/**
 * True for RFC1918, RFC4193 (fc00::/7), loopback, link-local and 100.64.0.0/10 addresses,
 * including their IPv4-mapped IPv6 forms. Anything that is not an IP address is false.
 */
export function isInternalAddress(ip: string): boolean {
  const address = stripBrackets(ip).replace(/%.*$/, ''); // drop an IPv6 zone id (fe80::1%eth0)
  const family = isIP(address);
  if (family === 0) return false;
  // IPv4 without the BlockList: its check builds socket-address objects, a noticeable share of a cold connect.
  if (family === 4) return isInternalIPv4(address);
  // BlockList matches IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) against IPv4 subnets.
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16 and 100.64/10, for a valid dotted quad. */
function isInternalIPv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.', 2).map(Number);
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

export async function resolveEndpointType(
  target: { host: string; tls: boolean },
  options: ResolveEndpointTypeOptions = {},
): Promise<ResolvedEndpointType> {
  const suffix = target.tls ? 'fqdn' : 'ip';
  const internal = await isInternalHost(stripBrackets(target.host), options);
  return `${internal ? 'internal' : 'external'}-${suffix}`;
}

/**
 * The endpoint type a client puts in its opt-in: as configured; 'none' with maintenance disabled;
 * for 'auto', resolved from the host (`resolveEndpointType`).
 */
export function endpointTypeFor(options: { host: string; tls: unknown; maint: { endpointType: ResolvedEndpointType | 'none' | 'auto'; mode: string } }, lookup?: LookupAll): Promise<ResolvedEndpointType | 'none'> {
  const { maint, host, tls } = options;
  if (maint.endpointType !== 'auto') return Promise.resolve(maint.endpointType);
  if (maint.mode === 'disabled') return Promise.resolve('none');
  return resolveEndpointType({ host, tls: tls !== false }, lookup === undefined ? {} : { lookup });
}

async function isInternalHost(host: string, options: ResolveEndpointTypeOptions): Promise<boolean> {
  if (isIP(host.replace(/%.*$/, '')) !== 0) return isInternalAddress(host);
  const addresses = await lookupWithin(host, options.lookup ?? defaultLookup, options.timeoutMs ?? 2000);
  return addresses !== undefined && addresses.length > 0 && addresses.every((a) => isInternalAddress(a.address));
}

/** The lookup's answer, or undefined on failure or timeout. */
async function lookupWithin(host: string, lookup: LookupAll, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  // Not unref'd: a caller awaiting the answer must not see the process exit under it. It is
  // always cleared below, so it never outlives the lookup.
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, undefined);
  });
  try {
    const answer = Promise.resolve()
      .then(() => lookup(host))
      .catch(() => undefined);
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
