import { odataError } from './errors.js';
import { compileFilter, ODataFilterError, type Entity, type FilterSchema, type Predicate } from './odata.js';

/** OData query options of the list endpoints (mde-api.md 1.3): $filter, $top ≤ 10,000, $skip, $count, $expand. */
export interface ListQuery {
  readonly filter?: Predicate;
  readonly top?: number;
  readonly skip: number;
  readonly count: boolean;
  readonly expand: readonly string[];
}

export const MAX_TOP = 10_000;

function nonNegativeInt(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw odataError(`The value '${raw}' of query option '${name}' is not a non-negative integer.`);
  return Number(raw);
}

/** Reads the query string; unknown `$` options and bad values → 400 ODataError. Other parameters are ignored. */
export function parseListQuery(url: URL, schema: FilterSchema, expandable: readonly string[] = []): ListQuery {
  let filter: Predicate | undefined;
  let top: number | undefined;
  let skip = 0;
  let count = false;
  const expand: string[] = [];
  for (const [key, value] of url.searchParams) {
    switch (key.toLowerCase()) {
      case '$filter':
        try {
          filter = compileFilter(value, schema);
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
      default:
        if (key.startsWith('$')) throw odataError(`The query parameter '${key}' is not supported.`);
    }
  }
  return { ...(filter ? { filter } : {}), ...(top === undefined ? {} : { top }), skip, count, expand };
}

/** Applies $filter to entities (their JSON form). */
export const applyFilter = <T extends Entity>(items: readonly T[], query: ListQuery): T[] =>
  query.filter ? items.filter(query.filter) : [...items];

/** Applies $skip then $top. */
export const applyPage = <T>(items: readonly T[], query: ListQuery): T[] =>
  items.slice(query.skip, query.top === undefined ? undefined : query.skip + query.top);

/** `{"@odata.context", ["@odata.count"], "value"}`. No @odata.nextLink is ever returned (simulator choice). */
export function collection(context: string, value: readonly unknown[], query: ListQuery, total: number): Record<string, unknown> {
  return { '@odata.context': context, ...(query.count ? { '@odata.count': total } : {}), value };
}
