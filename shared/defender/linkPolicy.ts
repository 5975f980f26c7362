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
 * unspecified, multicast and reserved ranges, IPv6 unique-local and
 * link-local, and IPv4 embedded in IPv6. Loopback is listed separately.
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
] as const) INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['2002::', 16], ['::', 96],
] as const) INTERNAL.addSubnet(network, prefix, 'ipv6');

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
  const loopback = family === 4 ? LOOPBACK.check(host, 'ipv4') : family === 6 ? LOOPBACK.check(host, 'ipv6') : isLoopback(host);
  if (loopback) {
    if (policy.allowHttpLoopback && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
    throw new PermanentError('result link refused: loopback host');
  }
  if (family !== 0 && INTERNAL.check(host, family === 4 ? 'ipv4' : 'ipv6')) {
    throw new PermanentError('result link refused: a private, link-local or reserved address');
  }
  if (url.protocol !== 'https:') throw new PermanentError(`result link refused: scheme ${url.protocol} is not https`);
  if (url.port !== '') throw new PermanentError(`result link refused: port ${url.port} is not the https default`);
  if (!policy.hostSuffixes.some((suffix) => hostMatches(host, suffix))) {
    throw new PermanentError(`result link refused: host ${host} is not on the allow-list`);
  }
  return url;
}

function hostMatches(host: string, suffix: string): boolean {
  const bare = suffix.toLowerCase().replace(/^\./, '');
  return bare.length > 0 && (host === bare || host.endsWith(`.${bare}`));
}
