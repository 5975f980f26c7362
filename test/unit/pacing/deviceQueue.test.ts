import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { MAX_WAITERS, MAX_WAITERS_PER_DEVICE, fallbackWaitMs, waitersOf } from '../../../shared/pacing/deviceQueue.js';
import { dueForPoll } from '../../../shared/pacing/holds.js';
import { Pacer, type PacingStore } from '../../../shared/pacing/pacer.js';
import { bookSlots, requestSlot, type SlotDecision } from '../../../shared/pacing/sendSlots.js';
import { emptyPacingState, type PacingState } from '../../../shared/pacing/state.js';
import type { Versioned } from '../../../shared/runs/model.js';
import { InProcessPacingStore } from '../../helpers/casStores.js';
import { limits, SPAN } from './pacingLimits.js';

const T0 = Date.parse('2026-12-05T02:00:00Z');
const DEVICE = 'dev-1';

/** The pacing store, counting its writes. */
class CountingStore implements PacingStore {
  private readonly inner = new InProcessPacingStore();
  writes = 0;
  load(): Promise<Versioned<PacingState>> {
    return this.inner.load();
  }
  async save(state: PacingState, etag: string): Promise<'ok' | 'conflict'> {
    const outcome = await this.inner.save(state, etag);
    if (outcome === 'ok') this.writes += 1;
    return outcome;
  }
}

function setup() {
  const clock = new ManualClock(T0);
  const store = new CountingStore();
  return { clock, store, pacer: new Pacer(store, clock, limits) };
}

/** Asks for a slot on `deviceId` and applies the decision to `state`, as the Pacer does. */
function ask(state: PacingState, runId: string, nowMs = T0, deviceId = DEVICE): { state: PacingState; decision: SlotDecision } {
  const decision = requestSlot(state, nowMs, limits, { deviceId, runId });
  const next = decision.kind === 'admit' || decision.kind === 'reserved' || decision.kind === 'queued' ? decision.state : state;
  return { state: next, decision };
}

/** r0 holds the device (admitted); the runs named wait in that order. */
function heldWithLine(...waiting: string[]): PacingState {
  let state = ask(emptyPacingState(), 'r0').state;
  for (const runId of waiting) state = ask(state, runId).state;
  return state;
}

const line = (state: PacingState, nowMs = T0, deviceId = DEVICE): string[] => waitersOf(state, deviceId, nowMs).map((w) => w.runId);

describe('a device’s waiting line', () => {
  it('queues runs for a device another run holds, first come first, each once', () => {
    let state = ask(emptyPacingState(), 'r0').state;
    const positions: number[] = [];
    for (const runId of ['r1', 'r2', 'r3', 'r2']) {
      const asked = ask(state, runId);
      if (asked.decision.kind !== 'queued') throw new Error(asked.decision.kind);
      positions.push(asked.decision.position);
      state = asked.state;
    }
    expect(positions).toEqual([0, 1, 2, 1]);
    expect(line(state)).toEqual(['r1', 'r2', 'r3']);
  });

  it('gives a waiter its fallback later the further back it is, capped at the busy back-off maximum', () => {
    expect([0, 1, 4, 100].map((p) => fallbackWaitMs(p, limits))).toEqual([120_000, 240_000, 600_000, limits.deviceBusyMaxRetryMs]);
    const state = heldWithLine('r1', 'r2');
    expect(ask(state, 'r2').decision).toMatchObject({ kind: 'queued', position: 1, waitMs: 240_000 });
  });

  it('admits only the first in line on a free device: a newcomer and a later waiter wait behind it', () => {
    // r0's reservation lapsed without its message: the device is free, r1 and r2 wait.
    let state = heldWithLine('r1', 'r2');
    state = { ...state, holds: {} };
    const newcomer = ask(state, 'r9');
    expect(newcomer.decision).toMatchObject({ kind: 'queued', position: 2 });
    expect(ask(newcomer.state, 'r2').decision).toMatchObject({ kind: 'queued', position: 1 });
    const first = ask(newcomer.state, 'r1');
    expect(first.decision.kind).toBe('admit');
    expect(first.state.holds[DEVICE]).toMatchObject({ kind: 'open', runId: 'r1' });
    expect(line(first.state)).toEqual(['r2', 'r9']);
  });

  it('books no slot at a run’s start for a device others wait for', () => {
    const state = { ...heldWithLine('r1'), holds: {} };
    const { booked } = bookSlots(state, T0, limits, [
      { deviceId: DEVICE, runId: 'r5' },
      { deviceId: 'other', runId: 'r5' },
    ]);
    expect([...booked.keys()]).toEqual(['other']);
  });

  it('past the per-device bound a run retries as before, without joining', () => {
    const waiting = Array.from({ length: MAX_WAITERS_PER_DEVICE }, (_, i) => `w${i}`);
    const state = heldWithLine(...waiting);
    expect(line(state)).toHaveLength(MAX_WAITERS_PER_DEVICE);
    const late = ask(state, 'late');
    expect(late.decision).toEqual({ kind: 'wait', waitMs: limits.deviceBusyRetryMs, reason: 'device-busy' });
    expect(line(late.state)).not.toContain('late');
  });

  it('past the tenant-wide bound a run retries as before, without joining', () => {
    let state = emptyPacingState();
    const devices = Math.ceil(MAX_WAITERS / MAX_WAITERS_PER_DEVICE);
    for (let d = 0; d < devices; d++) {
      state = ask(state, `holder${d}`, T0, `d${d}`).state;
      for (let i = 0; i < MAX_WAITERS / devices; i++) state = ask(state, `w${d}.${i}`, T0, `d${d}`).state;
    }
    state = ask(state, 'holder-x', T0, 'dx').state;
    expect(ask(state, 'late', T0, 'dx').decision).toMatchObject({ kind: 'wait', reason: 'device-busy' });
  });

  it('drops a waiter whose message never came back, so it blocks nobody', () => {
    const state = heldWithLine('r1', 'r2');
    // r1 never asks again; r2 renews its place before r1's lapses.
    const r1LapsesMs = (state.queues?.[DEVICE]?.[0]?.untilMs ?? 0) + 1;
    const renewed = ask(state, 'r2', r1LapsesMs - 10).state;
    expect(line(renewed, r1LapsesMs)).toEqual(['r2']);
  });

  it('marks an open action whose device others wait for, so the poll tick looks at it sooner', async () => {
    const { pacer, clock } = setup();
    await pacer.requestSlot({ deviceId: DEVICE, runId: 'r0' });
    await pacer.recordSubmitted(DEVICE, 'r0', 'act-0', T0);
    await pacer.requestSlot({ deviceId: 'lonely', runId: 'r5' });
    await pacer.recordSubmitted('lonely', 'r5', 'act-5', T0);
    await pacer.requestSlot({ deviceId: DEVICE, runId: 'r1' });
    const due = dueForPoll(await pacer.snapshot(), clock.nowMs());
    expect(due.map((h) => [h.deviceId, h.waited ?? false])).toEqual([
      [DEVICE, true],
      ['lonely', false],
    ]);
  });
});

describe('handing a released device on', () => {
  it('gives the device to the first in line in the same write as the release, with the earliest send slot', async () => {
    const { pacer, store } = setup();
    for (const runId of ['r0', 'r1', 'r2']) await pacer.requestSlot({ deviceId: DEVICE, runId });
    await pacer.recordSubmitted(DEVICE, 'r0', 'act-0', T0 + 15_000);
    const before = store.writes;
    const handed = await pacer.release(DEVICE, 'r0');
    expect(store.writes - before).toBe(1);
    expect(handed).toEqual({ deviceId: DEVICE, runId: 'r1', slotMs: T0 });
    const state = await pacer.snapshot();
    expect(state.holds[DEVICE]).toMatchObject({ kind: 'reserved', runId: 'r1', slotMs: T0 });
    expect(line(state)).toEqual(['r2']);
    // The woken run is admitted for its slot.
    expect(await pacer.requestSlot({ deviceId: DEVICE, runId: 'r1' })).toMatchObject({ kind: 'admit', atMs: T0 });
  });

  it('hands over for a later slot when the quota is spent', async () => {
    const { pacer } = setup();
    await pacer.requestSlot({ deviceId: DEVICE, runId: 'r0' });
    await pacer.requestSlot({ deviceId: DEVICE, runId: 'r1' });
    for (let i = 1; i < 10; i++) await pacer.requestSlot({ deviceId: `d${i}`, runId: `x${i}` });
    const handed = await pacer.release(DEVICE, 'r0');
    expect(handed).toEqual({ deviceId: DEVICE, runId: 'r1', slotMs: T0 + SPAN });
  });

  it('hands nothing over when nobody waits, nor while the device backs off from a session that is not ours', async () => {
    const { pacer } = setup();
    await pacer.requestSlot({ deviceId: DEVICE, runId: 'r0' });
    expect(await pacer.release(DEVICE, 'r0')).toBeUndefined();
    await pacer.requestSlot({ deviceId: DEVICE, runId: 'r0' });
    await pacer.requestSlot({ deviceId: DEVICE, runId: 'r1' });
    await pacer.deviceBusy(DEVICE, 'r0');
    // r0 comes back first when the back-off ends: nobody overtook it, and nothing is handed over meanwhile.
    expect(line(await pacer.snapshot())).toEqual(['r0', 'r1']);
    expect(await pacer.release(DEVICE, 'gone')).toBeUndefined();
    expect((await pacer.snapshot()).holds[DEVICE]).toBeUndefined();
  });

  it('loses nothing when the process dies between the hand-over and the wake-up: the fallback finds the slot held', async () => {
    const { pacer, clock } = setup();
    const waiting = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'];
    await pacer.requestSlot({ deviceId: DEVICE, runId: 'r0' });
    const fallbacks = new Map<string, number>();
    for (const runId of waiting) {
      const decision = await pacer.requestSlot({ deviceId: DEVICE, runId });
      if (decision.kind === 'queued') fallbacks.set(runId, T0 + decision.waitMs);
    }
    // r1..r7 were handed the device in turn. r8 (its fallback 16 min away) is next, r9 behind it.
    let state = await pacer.snapshot();
    for (const runId of waiting.slice(0, 7)) {
      await pacer.release(DEVICE, state.holds[DEVICE]?.runId ?? '');
      await pacer.requestSlot({ deviceId: DEVICE, runId });
      state = await pacer.snapshot();
    }
    clock.advance(60_000);
    const handed = await pacer.release(DEVICE, 'r7');
    expect(handed?.runId).toBe('r8');
    // ... and the process dies here: no wake-up is sent. r8's own message comes at its fallback, past the usual grace.
    const fallbackMs = fallbacks.get('r8') ?? 0;
    expect(fallbackMs).toBeGreaterThan((handed?.slotMs ?? 0) + limits.reservationGraceMs);
    clock.set(fallbackMs);
    expect(await pacer.requestSlot({ deviceId: DEVICE, runId: 'r8' })).toMatchObject({ kind: 'admit' });
    expect(line(await pacer.snapshot(), clock.nowMs())).toEqual(['r9']);
  });

  it('takes a cancelled waiter out of the line', async () => {
    const { pacer } = setup();
    for (const runId of ['r0', 'r1', 'r2']) await pacer.requestSlot({ deviceId: DEVICE, runId });
    expect(await pacer.release(DEVICE, 'r1')).toBeUndefined();
    expect(await pacer.release(DEVICE, 'r0')).toMatchObject({ runId: 'r2' });
  });

  it('keeps the place of a run that gives the device up only until its message comes back (a 429)', async () => {
    const { pacer, clock } = setup();
    for (const runId of ['r0', 'r1']) await pacer.requestSlot({ deviceId: DEVICE, runId });
    expect(await pacer.release(DEVICE, 'r0', T0 + 30_000)).toBeUndefined();
    expect(await pacer.requestSlot({ deviceId: DEVICE, runId: 'r1' })).toMatchObject({ kind: 'queued', position: 1 });
    clock.set(T0 + 30_000);
    expect(await pacer.requestSlot({ deviceId: DEVICE, runId: 'r0' })).toMatchObject({ kind: 'admit' });
  });

  it('keeps the place of a run whose stale admission is given up and asked again at once', async () => {
    const { pacer } = setup();
    for (const runId of ['r0', 'r1']) await pacer.requestSlot({ deviceId: DEVICE, runId });
    await pacer.releaseAdmission(DEVICE, 'r0');
    expect(await pacer.requestSlot({ deviceId: DEVICE, runId: 'r0' })).toMatchObject({ kind: 'admit' });
  });
});
