import type { z } from 'zod';
import { PermanentError, TransientError } from '../errors.js';
import { nextPagePath } from './nextLink.js';
import type { DefenderCallKind } from './port.js';

export const DEFAULT_MAX_PAGES = 100;

/** Counts the requests of one list: the first is paid by the caller, every later one through `payForExtraCall`. */
export interface ListMeter {
  beforeRequest(what: string): Promise<void>;
}

/** A meter for one list (one per list call, so each list's first request is the caller's). */
export function listMeter(payForExtraCall: ((what: string) => Promise<void>) | undefined): ListMeter {
  let requests = 0;
  return {
    beforeRequest: async (what) => {
      if (requests++ > 0) await payForExtraCall?.(what);
    },
  };
}

/** How a list reads its pages: a GET of one path answered as JSON, on the API at `baseUrl`. */
export interface CollectionPaging {
  baseUrl: string;
  /** Most pages one list follows; more is a PermanentError. */
  maxPages: number;
  getPage(path: string, what: DefenderCallKind): Promise<unknown>;
}

/**
 * Every item of a list, following `@odata.nextLink` (same origin, under
 * /api/, at most `maxPages` pages; anything else is a PermanentError).
 * `schema` null: items as they come.
 */
export async function readAllPages<S extends z.ZodType>(
  paging: CollectionPaging,
  firstPath: string,
  schema: S | null,
  what: DefenderCallKind,
  meter: ListMeter,
): Promise<z.infer<S>[]> {
  const items: z.infer<S>[] = [];
  let path: string | undefined = firstPath;
  for (let pages = 0; path !== undefined; pages++) {
    if (pages >= paging.maxPages) throw new PermanentError(`${what}: more than ${paging.maxPages} pages; the list was not read to its end`);
    await meter.beforeRequest(what);
    const page = await paging.getPage(path, what);
    items.push(...parseCollection(page, schema, what));
    path = nextPagePath(page, paging.baseUrl, what);
  }
  return items;
}

/** The items of one page (`value`), each checked against `schema` (null: as they come); a page or item of another shape is a TransientError. */
export function parseCollection<S extends z.ZodType>(page: unknown, schema: S | null, what: string): z.infer<S>[] {
  const value = (page as { value?: unknown } | null)?.value;
  if (!Array.isArray(value)) throw new TransientError(`${what}: collection response has no value array`);
  return value.map((item: unknown) => {
    if (!schema) return item as z.infer<S>;
    const parsed = schema.safeParse(item);
    if (!parsed.success) throw new TransientError(`${what}: unexpected item shape: ${parsed.error.message}`);
    return parsed.data;
  });
}
