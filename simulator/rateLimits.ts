/**
 * Sliding-window call limits on the simulator clock. A call at time t counts
 * in a window of length W while now < t + W. Only admitted calls are
 * recorded: a rejected (429) call does not use up quota (simulator choice).
 */
export interface WindowLimit {
  readonly windowMs: number;
  readonly max: number;
}

export type Admission = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/** Pure decision: given the admitted call times (ascending), may a call at `nowMs` pass? */
export function decide(stamps: readonly number[], limits: readonly WindowLimit[], nowMs: number): Admission {
  let waitMs = 0;
  for (const limit of limits) {
    const from = stamps.findIndex((t) => t > nowMs - limit.windowMs);
    const inWindow = from < 0 ? 0 : stamps.length - from;
    if (inWindow >= limit.max) {
      const freeing = stamps[from + inWindow - limit.max] ?? nowMs;
      waitMs = Math.max(waitMs, freeing + limit.windowMs - nowMs);
    }
  }
  return waitMs > 0 ? { ok: false, retryAfterMs: waitMs } : { ok: true };
}

/** Keeps admitted call times per key (app+tenant+endpoint). */
export class SlidingWindowLimiter {
  private readonly calls = new Map<string, number[]>();

  admit(key: string, limits: readonly WindowLimit[], nowMs: number): Admission {
    const longest = Math.max(...limits.map((l) => l.windowMs));
    const stamps = (this.calls.get(key) ?? []).filter((t) => t > nowMs - longest);
    const admission = decide(stamps, limits, nowMs);
    if (admission.ok) stamps.push(nowMs);
    this.calls.set(key, stamps);
    return admission;
  }
}
