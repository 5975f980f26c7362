import type { PacingState } from './state.js';

/** How many minutes of admitted runliveresponse calls the pacing record keeps: the last hour. */
export const CALL_MINUTES_KEPT = 60;

const MINUTE_MS = 60_000;

/**
 * Counts one runliveresponse call admitted at `atMs` in its minute's bucket
 * and drops buckets older than the last hour, so the record holds at most
 * `CALL_MINUTES_KEPT` small pairs. Applied where a call is admitted, in the
 * same write (no extra compare-and-swap).
 */
export function countCall(state: PacingState, atMs: number): PacingState {
  const minute = Math.floor(atMs / MINUTE_MS);
  const kept = (state.callMinutes ?? []).filter(([m]) => m > minute - CALL_MINUTES_KEPT);
  const at = kept.findIndex(([m]) => m === minute);
  const callMinutes: [number, number][] =
    at === -1
      ? [...kept, [minute, 1] as [number, number]].sort((a, b) => a[0] - b[0])
      : kept.map(([m, n]) => (m === minute ? [m, n + 1] : [m, n]));
  return { ...state, callMinutes };
}

/** The calls admitted in each of the last `CALL_MINUTES_KEPT` minutes up to `nowMs`'s own, oldest first, minutes without calls as 0. */
export function callsPerMinute(state: PacingState, nowMs: number): { minuteStartMs: number; calls: number }[] {
  const current = Math.floor(nowMs / MINUTE_MS);
  const counts = new Map(state.callMinutes ?? []);
  return Array.from({ length: CALL_MINUTES_KEPT }, (_, i) => {
    const minute = current - CALL_MINUTES_KEPT + 1 + i;
    return { minuteStartMs: minute * MINUTE_MS, calls: counts.get(minute) ?? 0 };
  });
}
