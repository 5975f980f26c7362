import type { PacingLimits } from './limits.js';
import type { PacingState } from './state.js';

export type BudgetDecision = { ok: true; state: PacingState } | { ok: false; waitMs: number };

/**
 * Takes `count` status/link calls from the shared budget (per minute and per
 * hour, tenant-wide), or says how long to wait. Pure.
 */
export function takeStatusCalls(
  state: PacingState,
  nowMs: number,
  limits: Pick<PacingLimits, 'statusCallsPerMinute' | 'statusCallsPerHour'>,
  count = 1,
): BudgetDecision {
  const recent = state.statusCallsMs.filter((t) => t > nowMs - 60_000);
  const minute = Math.floor(nowMs / 60_000);
  const hourly = state.statusMinutes.filter(([m]) => m > minute - 60);
  const hourTotal = hourly.reduce((sum, [, n]) => sum + n, 0);
  if (recent.length + count > limits.statusCallsPerMinute) {
    const oldest = recent[recent.length + count - limits.statusCallsPerMinute - 1] ?? nowMs;
    return { ok: false, waitMs: Math.max(1, oldest + 60_000 - nowMs) };
  }
  if (hourTotal + count > limits.statusCallsPerHour) {
    const first = hourly[0]?.[0] ?? minute;
    return { ok: false, waitMs: Math.max(1, (first + 60) * 60_000 - nowMs) };
  }
  const last = hourly[hourly.length - 1];
  const statusMinutes: [number, number][] =
    last && last[0] === minute ? [...hourly.slice(0, -1), [minute, last[1] + count]] : [...hourly, [minute, count]];
  return { ok: true, state: { ...state, statusCallsMs: [...recent, ...Array<number>(count).fill(nowMs)], statusMinutes } };
}
