import { ContendedError } from '../errors.js';

/** What one compare-and-swap attempt came to: settled with a value, or lost the race (read again and retry). */
export type CasAttempt<T> = { kind: 'settled'; value: T } | { kind: 'conflict' };

export const settled = <T>(value: T): CasAttempt<T> => ({ kind: 'settled', value });
export const conflict: CasAttempt<never> = { kind: 'conflict' };

/** Attempts before a contended write gives up to the queue's retry. */
export const DEFAULT_CAS_ATTEMPTS = 10;

export interface CasRetryOptions {
  /** Attempts before giving up with a ContendedError. */
  maxAttempts?: number;
  /** Pause after losing attempt `attempt` (1-based) before the next; none when omitted. */
  pauseMs?: (attempt: number) => number;
}

/**
 * Runs one read-decide-conditional-write `attempt` until it settles, retrying
 * each time another writer got there first. `attempt` receives its 1-based
 * number and must read afresh each time. After `maxAttempts` conflicts in a
 * row it throws a ContendedError naming `resource`.
 *
 *   writer A                           writer B
 *   read v1                            read v1
 *                                      write if v1 -> v2 (settled)
 *   write if v1 -> conflict
 *   (pause) read v2, write if v2 -> v3 (settled)
 */
export async function casRetry<T>(
  resource: string,
  attempt: (attempt: number) => Promise<CasAttempt<T>>,
  { maxAttempts = DEFAULT_CAS_ATTEMPTS, pauseMs }: CasRetryOptions = {},
): Promise<T> {
  for (let n = 1; n <= maxAttempts; n++) {
    const outcome = await attempt(n);
    if (outcome.kind === 'settled') return outcome.value;
    const waitMs = n < maxAttempts && pauseMs ? pauseMs(n) : 0;
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  throw new ContendedError(resource, maxAttempts);
}
