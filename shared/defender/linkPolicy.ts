import { BlockList, isIP } from 'node:net';
import { isLoopback } from '../config.js';
import { PermanentError } from '../errors.js';

export interface LinkPolicy {
  /** Host suffixes result links may point to, e.g. `.blob.core.windows.net`. */
  hostSuffixes: string[];
  /** Plain http to loopback (the local simulator) is allowed. */
  allowHttpLoopback: boolean;
}

/**
 * Addresses a result link must never reach, whatever the allow-list says:
 * private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254),
 * unspecified, multicast and reserved ranges, IPv6 unique-local,
 * link-local, site-local, discard-only and documentation ranges, and IPv4
 * embedded in IPv6 (mapped, NAT64, 6to4, Teredo). Loopback is listed
 * separately.
 *
 * One list per family: a BlockList checks an IPv4 address against IPv6 rules
 * too (as ::ffff:a.b.c.d), so one list holding ::ffff:0:0/96 would refuse
 * every IPv4 address.
 */
const INTERNAL_V4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  INTERNAL_V4.addSubnet(network, prefix, 'ipv4');
const INTERNAL_V6 = new BlockList();
for (const [network, prefix] of [
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['100::', 64],
  ['::', 96],
] as const)
  INTERNAL_V6.addSubnet(network, prefix, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Checks a result download link before any connection is made: https only
 * on the default port, no credentials in the URL, never an internal or
 * loopback IP literal, and a host on the allow-list. With the simulator
 * configured (`allowHttpLoopback`), loopback links (http or https, any port)
 * are accepted and nothing else changes. The message never quotes the URL.
 * The caller must not follow redirects (a redirect would bypass this check).
 */
export function checkResultLink(link: string, policy: LinkPolicy): URL {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new PermanentError('result link refused: not a valid URL');
  }
  if (url.username || url.password) throw new PermanentError('result link refused: carries user credentials');
  // WHATWG parsing has already normalised 2130706433, 0x7f.1 and friends to dotted quads.
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const loopback = family === 0 ? isLoopback(host) : addressKind(host) === 'loopback';
  if (loopback) {
    if (policy.allowHttpLoopback && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
    throw new PermanentError('result link refused: loopback host');
  }
  if (family !== 0 && addressKind(host) === 'internal') {
    throw new PermanentError('result link refused: a private, link-local or reserved address');
  }
  if (url.protocol !== 'https:') throw new PermanentError(`result link refused: scheme ${url.protocol} is not https`);
  if (url.port !== '') throw new PermanentError(`result link refused: port ${url.port} is not the https default`);
  if (!policy.hostSuffixes.some((suffix) => hostMatches(host, suffix))) {
    throw new PermanentError(`result link refused: host ${host} is not on the allow-list`);
  }
  return url;
}

/** Whether an IP address is loopback, internal (private, link-local, reserved...) or public. */
export function addressKind(address: string): 'loopback' | 'internal' | 'public' {
  const family = isIP(address);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(address, type)) return 'loopback';
  return (family === 4 ? INTERNAL_V4 : INTERNAL_V6).check(address, type) ? 'internal' : 'public';
}

/**
 * Why a result link's host may not be reached at an address its name
 * resolved to, or undefined when it may. Checked on every address DNS
 * returns, just before connecting: a name on the allow-list that resolves
 * to a private or loopback address (DNS rebinding, a hijacked record) is
 * refused without a connection, as the same IP literal would be.
 */
export function refusedResolvedAddress(address: string, allowLoopback: boolean): string | undefined {
  if (isIP(address) === 0) return 'result link refused: its host resolves to something that is not an IP address';
  const kind = addressKind(address);
  if (kind === 'loopback' && !allowLoopback) return 'result link refused: its host resolves to a loopback address';
  if (kind === 'internal') return 'result link refused: its host resolves to a private, link-local or reserved address';
  return undefined;
}

function hostMatches(host: string, suffix: string): boolean {
  const bare = suffix.toLowerCase().replace(/^\./, '');
  return bare.length > 0 && (host === bare || host.endsWith(`.${bare}`));
}
