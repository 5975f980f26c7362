/**
 * MDEAutomator's retry of a Defender call (`Invoke-WithRetry`,
 * function/MDEAutomator/MDEAutomator.psm1 in msdirtbag/MDEAutomator), as a
 * pure step function. Read from the source, in our words:
 *
 * - up to 5 retries (6 attempts), then the call fails for good;
 * - a 429 waits Retry-After when it parses as whole seconds, else 60 s. Each
 *   429 sets the wait afresh, so the doubling below never compounds on 429s;
 * - any other 4xx (ActiveRequestAlreadyExists included) is not retried: the
 *   call is "skipped" and yields no machine action;
 * - a 5xx or no answer waits the current delay (20 s at first), which after
 *   every wait becomes min(2 x delay, 600 s) + a 2-4 s jitter.
 */

/** Why one attempt failed, as the peer sees it. */
export type CallFailure =
  | { kind: 'throttled'; retryAfterHeader: string | null }
  | { kind: 'refused'; status: number; code?: string }
  | { kind: 'serverError'; status: number }
  | { kind: 'noAnswer' };

export interface RetryState {
  /** Retries made so far. */
  retryCount: number;
  /** The wait the next retry of a 5xx or a missing answer takes, in seconds. */
  delaySeconds: number;
}

export type RetryStep =
  /** Not retried: the peer returns "Skipped" and the device gets no action. */
  | { kind: 'skip' }
  /** Retries exhausted: the peer throws "Max retry attempts reached.". */
  | { kind: 'giveUp' }
  | { kind: 'wait'; waitMs: number; next: RetryState };

export const MAX_RETRIES = 5;
export const INITIAL_DELAY_SECONDS = 20;
export const DEFAULT_RETRY_AFTER_SECONDS = 60;
export const MAX_DOUBLED_DELAY_SECONDS = 600;
export const INITIAL_RETRY_STATE: RetryState = { retryCount: 0, delaySeconds: INITIAL_DELAY_SECONDS };
/** The mean of PowerShell's `Get-Random -Minimum 2 -Maximum 5` (2, 3 or 4). */
export const MEAN_JITTER_SECONDS = 3;

/** Retry-After as `[int]::TryParse` reads it: whole seconds, else the 60 s default. */
export function retryAfterSecondsOf(header: string | null): number {
  if (header === null || !/^\s*\+?\d+\s*$/.test(header)) return DEFAULT_RETRY_AFTER_SECONDS;
  return Number.parseInt(header.trim(), 10);
}

/** What the peer does after a failed attempt, given its retry state and a jitter draw (2-4 s). */
export function nextRetryStep(state: RetryState, failure: CallFailure, jitterSeconds: number): RetryStep {
  if (failure.kind === 'refused') return { kind: 'skip' };
  const waitSeconds = failure.kind === 'throttled' ? retryAfterSecondsOf(failure.retryAfterHeader) : state.delaySeconds;
  if (state.retryCount >= MAX_RETRIES) return { kind: 'giveUp' };
  return {
    kind: 'wait',
    waitMs: waitSeconds * 1_000,
    next: {
      retryCount: state.retryCount + 1,
      delaySeconds: Math.min(waitSeconds * 2, MAX_DOUBLED_DELAY_SECONDS) + jitterSeconds,
    },
  };
}
