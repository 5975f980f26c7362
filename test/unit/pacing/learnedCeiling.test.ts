import { describe, expect, it } from 'vitest';
import { CEILING_WINDOWS, RISE_WINDOWS, callRefused, withCeiling } from '../../../shared/pacing/learnedCeiling.js';
import { emptyPacingState, prune, type PacingState } from '../../../shared/pacing/state.js';
import { limits, SPAN } from './pacingLimits.js';

const T0 = 10_000_000;

/** Seven calls accepted in the span before `atMs`, then a 429 for the call admitted at `atMs`. */
function refusedAfterSeven(state: PacingState, atMs: number): PacingState {
  const accepted = Array.from({ length: 7 }, (_, i) => atMs - 7_000 + i * 1_000);
  return callRefused({ ...state, slotsMs: [...accepted, atMs] }, atMs, atMs, atMs + 60_000, limits);
}

const allowedAt = (state: PacingState, atMs: number): number => withCeiling(state, atMs, limits).liveResponseCalls;

describe('the ceiling learned from 429s', () => {
  it('holds one call below what the tenant accepted, then rises by one call a step back to the limit', () => {
    // Act
    const state = refusedAfterSeven(emptyPacingState(), T0);
    const holdEnd = T0 + CEILING_WINDOWS * SPAN;
    const step = RISE_WINDOWS * SPAN;
    // Assess
    expect(allowedAt(state, T0 + 1)).toBe(6);
    expect(allowedAt(state, holdEnd - 1)).toBe(6);
    expect(allowedAt(state, holdEnd)).toBe(7);
    expect(allowedAt(state, holdEnd + step)).toBe(8);
    expect(allowedAt(state, holdEnd + 3 * step)).toBe(10);
    expect(prune(state, holdEnd + 3 * step, 0).ceiling).toBeUndefined();
    expect(prune(state, holdEnd + 3 * step - 1, 0).ceiling).toBeDefined();
  });

  it('doubles the hold when the tenant refuses a call of the rise, and keeps it when it refuses one during the hold', () => {
    // Prepare
    const learned = refusedAfterSeven(emptyPacingState(), T0);
    const holdEnd = T0 + CEILING_WINDOWS * SPAN;
    // Act
    const duringHold = refusedAfterSeven(learned, T0 + 10 * SPAN);
    const duringRise = refusedAfterSeven(learned, holdEnd + 1_000);
    // Assess
    expect(duringHold.ceiling?.holdMs).toBe(CEILING_WINDOWS * SPAN);
    expect(duringRise.ceiling?.holdMs).toBe(2 * CEILING_WINDOWS * SPAN);
    expect(allowedAt(duringRise, holdEnd + 1_000 + 2 * CEILING_WINDOWS * SPAN - 1)).toBe(6);
  });

  it('goes back to the level that held, not below it, when the tenant refuses the first call of the rise', () => {
    // Prepare: six held for the whole hold; the probe to seven is refused with six of ours in its window.
    const learned = refusedAfterSeven(emptyPacingState(), T0);
    const probeMs = T0 + CEILING_WINDOWS * SPAN + 1_000;
    const sixThenProbe = Array.from({ length: 6 }, (_, i) => probeMs - 6_000 + i * 1_000);
    // Act
    const refused = callRefused({ ...learned, slotsMs: [...sixThenProbe, probeMs] }, probeMs, probeMs, probeMs + 60_000, limits);
    // Assess
    expect(allowedAt(refused, probeMs + 1)).toBe(6);
    expect(refused.ceiling?.holdMs).toBe(2 * CEILING_WINDOWS * SPAN);
  });

  it('lets a ceiling stored before the rise existed lapse at the end of its hold', () => {
    // Prepare
    const stored: PacingState = { ...emptyPacingState(), ceiling: { calls: 6, untilMs: T0 } };
    // Act
    const [before, after] = [allowedAt(stored, T0 - 1), allowedAt(stored, T0)];
    // Assess
    expect([before, after]).toEqual([6, 10]);
  });
});
