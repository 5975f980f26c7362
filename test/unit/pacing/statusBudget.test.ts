import { describe, expect, it } from 'vitest';
import { takeStatusCalls } from '../../../shared/pacing/statusBudget.js';
import { emptyPacingState, type PacingState } from '../../../shared/pacing/state.js';

const limits = { statusCallsPerMinute: 100, statusCallsPerHour: 1_500 };
const T0 = 60_000 * 1_000;

describe('the status-call budget', () => {
  it('allows 100 calls a minute and says when the 101st may go', () => {
    let state: PacingState = emptyPacingState();
    for (let i = 0; i < 100; i++) {
      const taken = takeStatusCalls(state, T0 + i, limits);
      if (!taken.ok) throw new Error(`call ${i} refused`);
      state = taken.state;
    }
    expect(takeStatusCalls(state, T0 + 100, limits)).toEqual({ ok: false, waitMs: 60_000 - 100 });
    expect(takeStatusCalls(state, T0 + 60_000, limits).ok).toBe(true);
  });

  it('allows 1,500 calls an hour', () => {
    const state: PacingState = {
      ...emptyPacingState(),
      statusMinutes: Array.from({ length: 15 }, (_, i): [number, number] => [1_000 - 15 + i, 100]),
    };
    const refused = takeStatusCalls(state, T0, limits);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.waitMs).toBe(45 * 60_000);
  });
});
