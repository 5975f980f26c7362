import { z } from 'zod';
import { MAX_CREATED_MS, type Run } from './model.js';
import { validRecord } from './records.js';

/** Runs one page of RunStore.listRuns may hold (Table Storage returns at most 1,000 entities a page). */
export const MAX_RUNS_PAGE = 1000;

const createdBound = z.number().int().min(0).max(MAX_CREATED_MS);

/**
 * A page of runs, newest first. `createdFromMs` (inclusive) and
 * `createdBeforeMs` (exclusive) bound `createdMs`, whole epoch milliseconds;
 * `continuationToken` is the one the previous page returned, with the same
 * bounds.
 */
export const listRunsQuerySchema = z.strictObject({
  limit: z.number().int().min(1).max(MAX_RUNS_PAGE),
  continuationToken: z.string().min(1).max(1024).optional(),
  createdFromMs: createdBound.optional(),
  createdBeforeMs: createdBound.optional(),
});
export type ListRunsQuery = z.infer<typeof listRunsQuerySchema>;

export interface RunPage {
  /** At most `limit` runs, newest first. */
  runs: Run[];
  /** Present when more runs match: pass it back for the next page. */
  continuationToken?: string;
}

/** The query as the schema accepts it; a ValidationError naming each offending field otherwise. */
export function checkListRunsQuery(query: ListRunsQuery): ListRunsQuery {
  return validRecord(listRunsQuerySchema, query, 'runs query');
}

/** Every run matching `query`, newest first, read a page at a time. */
export async function* eachRun(
  store: { listRuns(query: ListRunsQuery): Promise<RunPage> },
  query: Omit<ListRunsQuery, 'continuationToken'>,
): AsyncGenerator<Run> {
  let continuationToken: string | undefined;
  do {
    const page = await store.listRuns({ ...query, ...(continuationToken === undefined ? {} : { continuationToken }) });
    yield* page.runs;
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
}
