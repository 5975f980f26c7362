import { odataError } from './errors.js';
import { compileFilter, ODataFilterError, type Entity, type FilterSchema, type Predicate } from './odata.js';
import { decodeSkipToken, pageOf, type Page, type PageOptions, type Positioned, type PositionOrder, type SkipToken } from './paging.js';

/** OData query options of the list endpoints (mde-api.md 1.3): $filter, $top ≤ 10,000, $skip, $count, $expand, and the $skiptoken of a next link. */
export interface ListQuery {
  readonly filter?: Predicate;
  readonly top?: number;
  readonly skip: number;
  readonly count: boolean;
  readonly expand: readonly string[];
  readonly skipToken?: SkipToken;
  readonly rawSkipToken?: string;
}

export interface ListQueryOptions {
  /** Properties `$expand` takes. */
  readonly expandable?: readonly string[];
  /** Only the documented `$filter` operators and exact property names (README choice 29). */
  readonly strict?: boolean;
}

export const MAX_TOP = 10_000;

function nonNegativeInt(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw odataError(`The value '${raw}' of query option '${name}' is not a non-negative integer.`);
  return Number(raw);
}

/** Reads the query string; unknown `$` options and bad values → 400 ODataError. Other parameters are ignored. */
export function parseListQuery(url: URL, schema: FilterSchema, options: ListQueryOptions = {}): ListQuery {
  const expandable = options.expandable ?? [];
  let filter: Predicate | undefined;
  let token: { skipToken: SkipToken; rawSkipToken: string } | undefined;
  let top: number | undefined;
  let skip = 0;
  let count = false;
  const expand: string[] = [];
  for (const [key, value] of url.searchParams) {
    switch (key.toLowerCase()) {
      case '$filter':
        try {
          filter = compileFilter(value, schema, options.strict === true);
        } catch (error) {
          if (error instanceof ODataFilterError) throw odataError(error.message);
          throw error;
        }
        break;
      case '$top':
        top = nonNegativeInt('$top', value);
        if (top > MAX_TOP)
          throw odataError(`The limit of '${MAX_TOP}' for Top query has been exceeded. The value from the incoming request is '${top}'.`);
        break;
      case '$skip':
        skip = nonNegativeInt('$skip', value);
        break;
      case '$count':
        if (!/^(true|false)$/i.test(value)) throw odataError(`The value '${value}' of $count must be true or false.`);
        count = value.toLowerCase() === 'true';
        break;
      case '$expand':
        for (const part of value
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)) {
          const known = expandable.find((e) => e.toLowerCase() === part.toLowerCase());
          if (!known) throw odataError(`Property '${part}' cannot be expanded here.`);
          expand.push(known);
        }
        break;
      case '$skiptoken':
        token = { skipToken: decodeSkipToken(value), rawSkipToken: value };
        break;
      default:
        if (key.startsWith('$')) throw odataError(`The query parameter '${key}' is not supported.`);
    }
  }
  return { ...(filter ? { filter } : {}), ...(top === undefined ? {} : { top }), skip, count, expand, ...token };
}

/** Only the `$skiptoken` of a next link, for a list that documents no query options (other parameters are ignored). */
export function parseSkipTokenOnly(url: URL): ListQuery {
  const raw = [...url.searchParams].find(([key]) => key.toLowerCase() === '$skiptoken')?.[1];
  return { skip: 0, count: false, expand: [], ...(raw === undefined ? {} : { skipToken: decodeSkipToken(raw), rawSkipToken: raw }) };
}

/** Applies $filter to positioned entities (their JSON form). */
export const applyFilter = <T extends Entity>(items: readonly Positioned<T>[], query: ListQuery): Positioned<T>[] => {
  const filter = query.filter;
  return filter ? items.filter((p) => filter(p.entity)) : [...items];
};

/** Where a list's pages come from: its endpoint, its order, and the page size in force (README choice 28). */
export function pageOptionsFor(
  ctx: { readonly url: URL; readonly baseUrl: string; readonly state: { readonly strictness: { readonly pageSize: number } } },
  list: string,
  order: PositionOrder = 'ascending',
): PageOptions {
  return { list, order, pageSize: ctx.state.strictness.pageSize, url: ctx.url, baseUrl: ctx.baseUrl };
}

/**
 * `{"@odata.context", ["@odata.count"], "value", ["@odata.nextLink"]}` for
 * the page of `matching` this request asks for: $skip then $top, cut to the
 * page size when server-driven paging is on (README choices 13, 28).
 */
export function collection<T>(
  context: string,
  matching: readonly Positioned<T>[],
  query: ListQuery,
  options: PageOptions,
  render: (entity: T) => unknown = (entity) => entity,
): Record<string, unknown> {
  const page: Page<T> = pageOf(matching, query, options);
  return {
    '@odata.context': context,
    ...(query.count ? { '@odata.count': matching.length } : {}),
    value: page.value.map(render),
    ...(page.nextLink === undefined ? {} : { '@odata.nextLink': page.nextLink }),
  };
}
