import { ValidationError } from '../errors.js';
import type { ListRunsQuery, RunPage } from '../runs/listing.js';
import { MAX_CREATED_MS, type Run } from '../runs/model.js';
import { encodeKeyPart } from './tableKeys.js';

/**
 * The runs index of TableRunStore: one entity per run in the partition
 * RUN_INDEX_PARTITION, RowKey `<MAX_CREATED_MS - createdMs, 16 digits>~<encoded runId>`,
 * so a query of that partition returns runs newest first, and a time
 * window is a RowKey range. Pure: the in-memory fake orders and pages the
 * same way with it.
 */

/** `~` never occurs in an encoded run id, so no run's own partition has this key. */
export const RUN_INDEX_PARTITION = '~runs-newest-first';

const DIGITS = String(MAX_CREATED_MS).length;
const ROW_KEY = new RegExp(`^\\d{${DIGITS}}~[A-Za-z0-9._!-]*$`);

const inverted = (ms: number): string => String(MAX_CREATED_MS - ms).padStart(DIGITS, '0');

/** A run with the RowKey of its index entity. */
export interface IndexedRun {
  key: string;
  run: Run;
}

/** The index RowKey of `run`: newest first by the millisecond, then by encoded run id. */
export function runIndexRowKey(run: Pick<Run, 'createdMs' | 'runId'>): string {
  return `${inverted(Math.floor(run.createdMs))}~${encodeKeyPart(run.runId)}`;
}

/** The RowKeys a (checked) query covers: above `after`, at least `atLeast`, below `below`. */
export interface RunIndexRange {
  after?: string;
  atLeast?: string;
  below?: string;
}

export function runIndexRange(query: ListRunsQuery): RunIndexRange {
  const range: RunIndexRange = {};
  if (query.continuationToken !== undefined) range.after = rowKeyOfToken(query.continuationToken);
  // createdMs < before  <=>  MAX - floor(createdMs) >= MAX - (before - 1)
  if (query.createdBeforeMs !== undefined) range.atLeast = inverted(query.createdBeforeMs - 1);
  // createdMs >= from  <=>  MAX - floor(createdMs) < MAX - (from - 1)
  if (query.createdFromMs !== undefined) range.below = inverted(query.createdFromMs - 1);
  return range;
}

/** The first `limit` rows (in RowKey order) as a page; a token when more rows were found. */
export function runPage(rows: readonly IndexedRun[], limit: number): RunPage {
  const runs = rows.slice(0, limit).map((r) => r.run);
  const last = rows[limit - 1];
  return rows.length > limit && last !== undefined ? { runs, continuationToken: Buffer.from(last.key).toString('base64url') } : { runs };
}

function rowKeyOfToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (!ROW_KEY.test(key) || Buffer.from(key).toString('base64url') !== token) {
    const message = 'not a continuation token this store issued';
    throw new ValidationError(`runs query: ${message}`, [{ path: 'continuationToken', message }]);
  }
  return key;
}
