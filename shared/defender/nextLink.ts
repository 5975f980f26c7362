import { PermanentError, TransientError } from '../errors.js';

/**
 * The path (with query) of a page's `@odata.nextLink`, or undefined on the
 * last page. A next link is followed only on the API's own origin and under
 * /api/: the bearer token goes with it, so a link elsewhere (another host,
 * scheme or port, or a path outside the API) is a PermanentError.
 */
export function nextPagePath(page: unknown, baseUrl: string, what: string): string | undefined {
  const link = (page as { '@odata.nextLink'?: unknown } | null)?.['@odata.nextLink'];
  if (link === undefined || link === null) return undefined;
  if (typeof link !== 'string') throw new TransientError(`${what}: @odata.nextLink is not a string`);
  let url: URL;
  try {
    url = new URL(link, baseUrl);
  } catch {
    throw new PermanentError(`${what}: @odata.nextLink is not a URL`);
  }
  const api = new URL(baseUrl);
  if (url.origin !== api.origin)
    throw new PermanentError(`${what}: @odata.nextLink points to another origin (${url.origin}); not followed`);
  if (!url.pathname.toLowerCase().startsWith('/api/')) throw new PermanentError(`${what}: @odata.nextLink leaves /api/; not followed`);
  if (url.username || url.password) throw new PermanentError(`${what}: @odata.nextLink carries credentials; not followed`);
  return url.pathname + url.search;
}
