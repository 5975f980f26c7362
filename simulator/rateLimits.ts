import type { RetryAfterForm } from './strictness.js';

/**
 * Sliding-window call limits on the simulator clock. A call at time t counts
 * in a window of length W while now < t + W. Admitted calls are always
 * recorded; a refused (429) call is recorded only when refused calls count
 * (choice 23: lenient no, strict yes).
 */
export interface WindowLimit {
  readonly windowMs: number;
  readonly max: number;
}

export type Admission = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/** A refusal as the limiter reports it: the wait, and the longest of the windows that are full. */
export type LimiterAdmission = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number; readonly windowMs: number };

interface Shortfall {
  readonly windowMs: number;
  readonly waitMs: number;
}

/** Each full window and how long until it has room for one more call. */
function shortfalls(stamps: readonly number[], limits: readonly WindowLimit[], nowMs: number): Shortfall[] {
  const full: Shortfall[] = [];
  for (const limit of limits) {
    const from = stamps.findIndex((t) => t > nowMs - limit.windowMs);
    const inWindow = from < 0 ? 0 : stamps.length - from;
    if (inWindow >= limit.max) {
      const freeing = stamps[from + inWindow - limit.max] ?? nowMs;
      full.push({ windowMs: limit.windowMs, waitMs: freeing + limit.windowMs - nowMs });
    }
  }
  return full;
}

/** Pure decision: given the recorded call times (ascending), may a call at `nowMs` pass? */
export function decide(stamps: readonly number[], limits: readonly WindowLimit[], nowMs: number): Admission {
  const admission = refusal(stamps, limits, nowMs);
  return admission.ok ? admission : { ok: false, retryAfterMs: admission.retryAfterMs };
}

/** {@link decide}, telling also which window a refusal comes from. */
function refusal(stamps: readonly number[], limits: readonly WindowLimit[], nowMs: number): LimiterAdmission {
  const full = shortfalls(stamps, limits, nowMs);
  const waitMs = Math.max(0, ...full.map((s) => s.waitMs));
  return waitMs > 0 ? { ok: false, retryAfterMs: waitMs, windowMs: Math.max(...full.map((s) => s.windowMs)) } : { ok: true };
}

/** Keeps recorded call times per bucket key. */
export class SlidingWindowLimiter {
  private readonly calls = new Map<string, number[]>();

  /**
   * Admits (and records) a call, or refuses it. With `refusedCallsCount` a
   * refused call is recorded too, and the wait it is told counts it: a
   * client that retries sooner stays throttled, one that waits is admitted.
   */
  admit(key: string, limits: readonly WindowLimit[], nowMs: number, refusedCallsCount = false): LimiterAdmission {
    const longest = Math.max(...limits.map((l) => l.windowMs));
    const stamps = (this.calls.get(key) ?? []).filter((t) => t > nowMs - longest);
    this.calls.set(key, stamps);
    const admission = refusal(stamps, limits, nowMs);
    if (admission.ok) {
      stamps.push(nowMs);
      return admission;
    }
    if (!refusedCallsCount) return admission;
    stamps.push(nowMs);
    return refusal(stamps, limits, nowMs);
  }
}

/**
 * The seconds a rate-limit 429 tells the caller to wait (choice 24): `exact`
 * is the wait rounded up to whole seconds (at least 1); `coarse` is the
 * length of the window that is full (the longest if several): 60 for a
 * per-minute limit, 3,600 for an hourly one. (`absent` sends no header; its
 * message gives the exact wait.)
 */
export function retryAfterSeconds(refused: { retryAfterMs: number; windowMs: number }, form: RetryAfterForm): number {
  if (form === 'coarse') return Math.ceil(refused.windowMs / 1000);
  return Math.max(1, Math.ceil(refused.retryAfterMs / 1000));
}
