import { z } from 'zod';
import { odataError } from './errors.js';

/**
 * Server-driven paging (README choice 28). A list answers at most `pageSize`
 * entities and an `@odata.nextLink` whose opaque `$skiptoken` names the
 * position of the last entity served (keyset paging): the next page starts
 * after that position, so entities added between pages are neither skipped
 * nor served twice. The token also counts the entities served, so a `$top`
 * larger than a page still ends where `$top` says.
 */

/** An entity with its position in its list's order (creation order, fleet order...). */
export interface Positioned<T> {
  readonly position: number;
  readonly entity: T;
}

/** Which way positions run in a list's order (machine actions are newest first). */
export type PositionOrder = 'ascending' | 'descending';

export interface SkipToken {
  /** The list it was minted for (an endpoint key). */
  readonly list: string;
  /** Position of the last entity served. */
  readonly after: number;
  /** Entities served so far, for `$top`. */
  readonly served: number;
}

const tokenSchema = z.strictObject({
  l: z.string().min(1),
  a: z.number().int(),
  n: z.number().int().nonnegative(),
});

const invalidToken = (raw: string) =>
  odataError(`The $skiptoken '${raw}' is not valid: use the @odata.nextLink of a previous page as it is.`);

export function encodeSkipToken(token: SkipToken): string {
  return Buffer.from(JSON.stringify({ l: token.list, a: token.after, n: token.served }), 'utf8').toString('base64url');
}

/** Reads a `$skiptoken`; anything not minted here → 400 ODataError naming it. */
export function decodeSkipToken(raw: string): SkipToken {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw invalidToken(raw);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken(raw);
  }
  const parsed = tokenSchema.safeParse(json);
  if (!parsed.success) throw invalidToken(raw);
  return { list: parsed.data.l, after: parsed.data.a, served: parsed.data.n };
}

export interface PageRequest {
  readonly skip: number;
  readonly top?: number;
  readonly skipToken?: SkipToken;
  /** The raw token, for error messages. */
  readonly rawSkipToken?: string;
}

export interface PageOptions {
  /** The endpoint key the token is bound to. */
  readonly list: string;
  readonly order: PositionOrder;
  /** 0: no server-driven paging. */
  readonly pageSize: number;
  /** The request's URL and the simulator's base URL, for the next link. */
  readonly url: URL;
  readonly baseUrl: string;
}

export interface Page<T> {
  readonly value: T[];
  readonly nextLink?: string;
}

/** One page of `matching` (already filtered, in list order) for this request. */
export function pageOf<T>(matching: readonly Positioned<T>[], request: PageRequest, options: PageOptions): Page<T> {
  const token = request.skipToken;
  if (token && token.list !== options.list) throw invalidToken(request.rawSkipToken ?? '');
  const after = (p: Positioned<T>): boolean =>
    token === undefined || (options.order === 'ascending' ? p.position > token.after : p.position < token.after);
  const rest = token ? matching.filter(after) : matching.slice(request.skip);
  const served = token?.served ?? 0;
  const leftOfTop = request.top === undefined ? Infinity : Math.max(0, request.top - served);
  const limit = Math.min(leftOfTop, options.pageSize > 0 ? options.pageSize : Infinity);
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  const more = options.pageSize > 0 && last !== undefined && rest.length > page.length && page.length < leftOfTop;
  const value = page.map((p) => p.entity);
  if (!more) return { value };
  return { value, nextLink: nextLinkOf(options, { list: options.list, after: last.position, served: served + page.length }) };
}

/** The request's own URL on the simulator's origin, with the client's options kept and `$skip` replaced by the token. */
function nextLinkOf(options: PageOptions, token: SkipToken): string {
  const params = new URLSearchParams();
  for (const [key, value] of options.url.searchParams) {
    const name = key.toLowerCase();
    if (name !== '$skip' && name !== '$skiptoken') params.append(key, value);
  }
  params.set('$skiptoken', encodeSkipToken(token));
  return `${options.baseUrl}${options.url.pathname}?${params.toString()}`;
}

/** Entities numbered by their place in a list that never reorders (fleet order). */
export const numbered = <T>(items: readonly T[]): Positioned<T>[] => items.map((entity, position) => ({ position, entity }));
