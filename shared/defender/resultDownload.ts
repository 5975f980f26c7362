import { PermanentError, TransientError } from '../errors.js';
import { checkResultLink, type LinkPolicy } from './linkPolicy.js';
import type { LinkResponse, LinkTransport } from './linkTransport.js';
import type { DownloadedResult } from './port.js';
import { kindOf, resultBody } from './resultBody.js';

export interface ResultDownloadOptions {
  linkPolicy: LinkPolicy;
  /** How long the download may go without a byte before it fails. */
  idleTimeoutMs: number;
  linkTransport: LinkTransport;
}

/**
 * Opens a Live Response result link: checked against the link policy, sent
 * without the bearer token, and never following a redirect. A redirect is a
 * PermanentError; any other answer but 200, or a failure before one, is a
 * TransientError (the caller retries with a fresh link).
 */
export async function downloadResult(link: string, options: ResultDownloadOptions): Promise<DownloadedResult> {
  const url = checkResultLink(link, options.linkPolicy);
  let response: LinkResponse;
  try {
    // No bearer token, and no redirect is ever followed: a redirect would skip the link policy.
    response = await options.linkTransport(url, {
      idleTimeoutMs: options.idleTimeoutMs,
      allowLoopback: options.linkPolicy.allowHttpLoopback,
    });
  } catch (error) {
    // A host that resolved to an address the link policy refuses: refused for good, as the same IP literal is.
    if (error instanceof PermanentError) throw error;
    throw new TransientError('download of a result failed before a response', { cause: kindOf(error) });
  }
  if (response.status !== 200) {
    response.body.destroy();
    if (response.status >= 300 && response.status < 400) {
      throw new PermanentError(`download of a result answered a redirect (HTTP ${response.status}); redirects are not followed`);
    }
    // An expired link answers 403; a fresh link is minted by the caller on retry.
    throw new TransientError(`download of a result answered HTTP ${response.status}`);
  }
  const length = response.header('content-length');
  const contentLength = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
  return {
    body: resultBody(response.body, contentLength),
    contentLength,
    contentType: response.header('content-type'),
    contentEncoding: response.header('content-encoding'),
  };
}
