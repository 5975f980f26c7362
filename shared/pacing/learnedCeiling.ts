import { applyPenalty } from './holds.js';
import type { PacingLimits } from './limits.js';
import { callsOf, withoutOne } from './slotTimes.js';
import type { PacingState } from './state.js';

/** How long a ceiling learned from a 429 lasts, in windows; a later 429 learns it again. */
export const CEILING_WINDOWS = 10;

/** The limits in force: the configured calls per window, or fewer while a learned ceiling lasts. */
export function withCeiling(state: PacingState, nowMs: number, limits: PacingLimits): PacingLimits {
  const ceiling = state.ceiling;
  if (!ceiling || ceiling.untilMs <= nowMs || ceiling.calls >= limits.liveResponseCalls) return limits;
  return { ...limits, liveResponseCalls: ceiling.calls };
}

/**
 * Defender refused the call admitted at `admittedMs` with a 429: a refused
 * call uses no quota (mde-api.md's token buckets), so it leaves the ledger;
 * the calls still in the window are what the tenant really accepted, and
 * that becomes the ceiling for a while, so the next windows do not send a
 * burst the tenant will refuse again. Every instance waits out Retry-After.
 */
export function callRefused(
  state: PacingState,
  admittedMs: number,
  nowMs: number,
  retryUntilMs: number,
  limits: PacingLimits,
): PacingState {
  const slotsMs = withoutOne(state.slotsMs, admittedMs);
  const spanMs = limits.liveResponseWindowMs + limits.safetyMarginMs;
  const accepted = callsOf({ ...state, slotsMs }).filter((t) => t > nowMs - spanMs && t <= nowMs).length;
  const current = state.ceiling && state.ceiling.untilMs > nowMs ? state.ceiling.calls : limits.liveResponseCalls;
  return {
    ...applyPenalty({ ...state, slotsMs }, retryUntilMs),
    ceiling: { calls: Math.max(1, Math.min(current, accepted)), untilMs: nowMs + CEILING_WINDOWS * spanMs },
  };
}
