import { isLoopback } from '../config.js';
import { PermanentError } from '../errors.js';

export interface LinkPolicy {
  /** Host suffixes result links may point to, e.g. `.blob.core.windows.net`. */
  hostSuffixes: string[];
  /** Plain http to loopback (the local simulator) is allowed. */
  allowHttpLoopback: boolean;
}

/**
 * Checks a result download link before any connection is made: https only
 * (http only to loopback when the simulator is configured), no credentials in
 * the URL, and a host on the allow-list. The message never quotes the URL.
 */
export function checkResultLink(link: string, policy: LinkPolicy): URL {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new PermanentError('result link refused: not a valid URL');
  }
  if (url.username || url.password) throw new PermanentError('result link refused: carries user credentials');
  if (isLoopback(url.hostname)) {
    if (policy.allowHttpLoopback && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
    throw new PermanentError('result link refused: loopback host');
  }
  if (url.protocol !== 'https:') throw new PermanentError(`result link refused: scheme ${url.protocol} is not https`);
  const host = url.hostname.toLowerCase();
  if (!policy.hostSuffixes.some((suffix) => host === suffix.replace(/^\./, '') || host.endsWith(suffix.startsWith('.') ? suffix : `.${suffix}`))) {
    throw new PermanentError(`result link refused: host ${host} is not on the allow-list`);
  }
  return url;
}
