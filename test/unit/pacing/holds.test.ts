import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { loadConfig } from '../../../shared/config.js';
import { recordSubmitted } from '../../../shared/pacing/holds.js';
import { pacingLimitsOf } from '../../../shared/pacing/limits.js';
import { Pacer } from '../../../shared/pacing/pacer.js';
import { InProcessPacingStore } from '../../helpers/casStores.js';
import { emptyPacingState, sessionsOpen, type PacingState } from '../../../shared/pacing/state.js';

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

  it('puts the run whose reserved slot gave way first in the device’s line, so the device comes back to it', () => {
    const state = {
      ...withHold({ kind: 'reserved', runId: 'run-b', slotMs: T0 + 60_000, expiresMs: T0 + 120_000 }, [T0 + 60_000]),
      queues: { 'dev-1': [{ runId: 'run-c', untilMs: T0 + 300_000 }] },
    };
    const next = recordSubmitted(state, 'dev-1', 'run-a', 'action-a', T0 + 15_000, T0, HOLD_MS);
    expect(next.queues?.['dev-1']).toEqual([
      { runId: 'run-b', untilMs: T0 + 120_000 },
      { runId: 'run-c', untilMs: T0 + 300_000 },
    ]);
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

describe('giving up an admission', () => {
  it('leaves the device held when another delivery has meanwhile recorded the run’s action there', async () => {
    const limits = pacingLimitsOf(loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' }));
    const pacer = new Pacer(new InProcessPacingStore(), new ManualClock(T0), limits);
    await pacer.requestSlot({ deviceId: 'dev-1', runId: 'run-a' });
    await pacer.recordSubmitted('dev-1', 'run-a', 'action-a', T0 + 15_000);
    await pacer.releaseAdmission('dev-1', 'run-a');
    expect((await pacer.snapshot()).holds['dev-1']).toMatchObject({ actionId: 'action-a' });
    await pacer.requestSlot({ deviceId: 'dev-2', runId: 'run-a' });
    await pacer.releaseAdmission('dev-2', 'run-a');
    expect((await pacer.snapshot()).holds['dev-2']).toBeUndefined();
  });

  /** A pacer where run-a's action on dev-1 was recorded by one delivery while another, late, still holds its refused call. */
  async function recordedMeanwhile(): Promise<Pacer> {
    const limits = pacingLimitsOf(loadConfig({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', BUS_KIND: 'storage-queues' }));
    const pacer = new Pacer(new InProcessPacingStore(), new ManualClock(T0), limits);
    await pacer.requestSlot({ deviceId: 'dev-1', runId: 'run-a' });
    await pacer.recordSubmitted('dev-1', 'run-a', 'action-a', T0 + 15_000);
    return pacer;
  }

  it('on a late 429 keeps the session of the action another delivery has meanwhile recorded', async () => {
    const pacer = await recordedMeanwhile();
    await pacer.release('dev-1', 'run-a', T0 + 30_000);
    const pacing = await pacer.snapshot();
    expect(pacing.holds['dev-1']).toMatchObject({ kind: 'open', actionId: 'action-a' });
    expect(sessionsOpen(pacing)).toBe(1);
  });

  it('on a late ActiveRequestAlreadyExists keeps the session of the action another delivery has meanwhile recorded', async () => {
    const pacer = await recordedMeanwhile();
    await pacer.deviceBusy('dev-1', 'run-a');
    const pacing = await pacer.snapshot();
    expect(pacing.holds['dev-1']).toMatchObject({ kind: 'open', actionId: 'action-a' });
    expect(sessionsOpen(pacing)).toBe(1);
  });
});
