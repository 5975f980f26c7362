import { applyPenalty } from './holds.js';
import type { PacingLimits } from './limits.js';
import { callsOf, withoutOne } from './slotTimes.js';
import type { LearnedCeiling, PacingState } from './state.js';

/** How long a ceiling first learned from a 429 holds, in windows, before it starts to rise. */
export const CEILING_WINDOWS = 20;
/** Once its hold is over, the ceiling rises by one call every this many windows, back to the configured limit. */
export const RISE_WINDOWS = 5;
/** The longest hold: each rise the tenant refuses doubles the hold, up to this many windows (about an hour and a half). */
export const MAX_CEILING_WINDOWS = 80;

/**
 * The calls per window a learned ceiling allows at `nowMs`: its calls while
 * it holds, then one more at the end of the hold and one more each
 * `riseMs` after that (probing, one call at a time, whether the tenant's
 * other apps have left room). A ceiling stored without `riseMs` lapses at
 * the end of its hold.
 */
function allowedAt(ceiling: LearnedCeiling, nowMs: number): number {
  if (nowMs < ceiling.untilMs) return ceiling.calls;
  if (!ceiling.riseMs) return Number.POSITIVE_INFINITY;
  return ceiling.calls + 1 + Math.floor((nowMs - ceiling.untilMs) / ceiling.riseMs);
}

/** The limits in force: the configured calls per window, or fewer while a learned ceiling holds or rises. */
export function withCeiling(state: PacingState, nowMs: number, limits: PacingLimits): PacingLimits {
  const allowed = state.ceiling ? allowedAt(state.ceiling, nowMs) : Number.POSITIVE_INFINITY;
  return allowed >= limits.liveResponseCalls ? limits : { ...limits, liveResponseCalls: allowed };
}

/**
 * Defender refused the call admitted at `admittedMs` with a 429: the refused
 * call leaves the ledger; the calls still in the window are what the tenant
 * really accepted alongside its other apps' calls of that window, and one
 * fewer becomes the ceiling (their share varies from window to window: one
 * call in hand keeps a busier window of theirs from refusing us again), so
 * the next windows do not send a burst the tenant will refuse again. Every
 * instance waits out Retry-After. A 429 while the ceiling holds lowers it
 * and starts its hold again; one while it rises (a probe refused) goes back
 * to the level that held (not below it) and doubles the hold, so a neighbour that keeps its share costs one 429 per
 * ever longer hold, not a burst each time the ceiling lapses.
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
  const previous = state.ceiling;
  const allowed = Math.min(limits.liveResponseCalls, previous ? allowedAt(previous, nowMs) : Number.POSITIVE_INFINITY);
  const probing = previous?.riseMs !== undefined && nowMs >= previous.untilMs && allowed < limits.liveResponseCalls;
  // A refused probe goes back to the level that held through the whole hold, not below it: the probe found
  // the neighbour's share unchanged, and what was accepted in the probe's window says less than the hold did.
  const calls = probing ? Math.max(1, Math.min(previous.calls, accepted)) : Math.max(1, Math.min(allowed, accepted - 1));
  const holding = previous?.holdMs !== undefined && nowMs < previous.untilMs;
  const firstHoldMs = CEILING_WINDOWS * spanMs;
  const holdMs = probing
    ? Math.min(2 * (previous.holdMs ?? firstHoldMs), MAX_CEILING_WINDOWS * spanMs)
    : holding
      ? (previous.holdMs ?? firstHoldMs)
      : firstHoldMs;
  const untilMs = nowMs + holdMs;
  const riseMs = RISE_WINDOWS * spanMs;
  return {
    ...applyPenalty({ ...state, slotsMs }, retryUntilMs),
    // endsMs: risen back to the configured limit, the ceiling no longer matters.
    ceiling: { calls, untilMs, holdMs, riseMs, endsMs: untilMs + Math.max(0, limits.liveResponseCalls - calls - 1) * riseMs },
  };
}
