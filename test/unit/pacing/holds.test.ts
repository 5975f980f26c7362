import { describe, expect, it } from 'vitest';
import { recordSubmitted } from '../../../shared/pacing/holds.js';
import { emptyPacingState, type PacingState } from '../../../shared/pacing/state.js';

const T0 = Date.parse('2026-12-05T02:00:00Z');
const HOLD_MS = 3 * 24 * 3_600_000;

function withHold(hold: PacingState['holds'][string], slotsMs: number[] = []): PacingState {
  return { ...emptyPacingState(), slotsMs, holds: { 'dev-1': hold } };
}

describe('recording a submitted action in the pacing holds', () => {
  it('follows our action even when another run holds a send slot on the device, and gives that slot back', () => {
    const state = withHold({ kind: 'reserved', runId: 'run-b', slotMs: T0 + 60_000, expiresMs: T0 + 120_000 }, [T0 + 60_000]);
    const next = recordSubmitted(state, 'dev-1', 'run-a', 'action-a', T0 + 15_000, T0, HOLD_MS);
    expect(next.holds['dev-1']).toMatchObject({ kind: 'open', runId: 'run-a', actionId: 'action-a', nextPollMs: T0 + 15_000 });
    expect(next.slotsMs).toEqual([]);
  });

  it('follows our action when another run was admitted on the device but has no action yet', () => {
    const state = withHold({ kind: 'open', runId: 'run-b', submittedMs: T0 - 1_000, expiresMs: T0 + HOLD_MS, nextPollMs: T0 + 15_000 });
    const next = recordSubmitted(state, 'dev-1', 'run-a', 'action-a', T0 + 15_000, T0, HOLD_MS);
    expect(next.holds['dev-1']).toMatchObject({ runId: 'run-a', actionId: 'action-a' });
  });

  it('leaves another run’s open action alone', () => {
    const theirs = {
      kind: 'open' as const,
      runId: 'run-b',
      submittedMs: T0,
      expiresMs: T0 + HOLD_MS,
      actionId: 'action-b',
      nextPollMs: T0 + 15_000,
    };
    const next = recordSubmitted(withHold(theirs), 'dev-1', 'run-a', 'action-a', T0 + 15_000, T0, HOLD_MS);
    expect(next.holds['dev-1']).toEqual(theirs);
  });
});
