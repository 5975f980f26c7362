import { describe, expect, it } from 'vitest';
import { applyPenalty, markDeviceBusy, releaseHold } from '../../../shared/pacing/holds.js';
import type { PacingLimits } from '../../../shared/pacing/limits.js';
import { earliestSlot, requestSlot } from '../../../shared/pacing/sendSlots.js';
import { emptyPacingState, type PacingState } from '../../../shared/pacing/state.js';

const limits: PacingLimits = {
  liveResponseCalls: 10, liveResponseWindowMs: 60_000, safetyMarginMs: 1_000, maxSessions: 25,
  sessionHoldMs: 3 * 86_400_000, reservationGraceMs: 600_000, deviceBusyRetryMs: 120_000, deviceBusyMaxRetryMs: 1_800_000,
  sessionsFullRetryMs: 60_000, statusCallsPerMinute: 100, statusCallsPerHour: 1_500,
};
const T0 = 10_000_000;
const SPAN = 61_000;

function withSlots(slotsMs: number[], holds = 0): PacingState {
  const state = { ...emptyPacingState(), slotsMs };
  for (let i = 0; i < holds; i++) state.holds[`dev${i}`] = { kind: 'open', runId: `run${i}`, submittedMs: T0 - 1, expiresMs: T0 + 1e9, nextPollMs: T0 + 1 };
  return state;
}
const tenAt = (t: number): number[] => Array.from({ length: 10 }, () => t);

describe('the send-slot ledger', () => {
  it.each([
    { name: 'admits at once on an empty ledger', state: emptyPacingState(), kind: 'admit' },
    { name: 'admits the tenth call of a window', state: withSlots(Array.from({ length: 9 }, (_, i) => T0 - 50_000 + i)), kind: 'admit' },
    { name: 'reserves the 11th call a span after the oldest of the ten', state: withSlots(tenAt(T0 - 30_000)), kind: 'reserved', slotMs: T0 - 30_000 + SPAN },
    { name: 'forgets calls older than the span', state: withSlots(tenAt(T0 - SPAN)), kind: 'admit' },
    { name: 'reserves after a 429 penalty', state: applyPenalty(emptyPacingState(), T0 + 7_000), kind: 'reserved', slotMs: T0 + 7_000 },
    { name: 'waits when 25 sessions are held', state: withSlots([], 25), kind: 'wait', reason: 'sessions-full' },
    { name: 'waits for a device another run holds', state: withSlots([], 3), device: 'dev1', kind: 'wait', reason: 'device-busy' },
  ])('$name', ({ state, kind, slotMs, reason, device }) => {
    const decision = requestSlot(state, T0, limits, { deviceId: device ?? 'new', runId: 'mine' });
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'reserved') expect(decision.slotMs).toBe(slotMs);
    if (decision.kind === 'wait') expect(decision.reason).toBe(reason);
  });

  it('gives 200 simultaneous requests slots ten per span, never eleven in any span', () => {
    let state = emptyPacingState();
    const slots: number[] = [];
    const bigLimits = { ...limits, maxSessions: 1_000 };
    for (let i = 0; i < 200; i++) {
      const decision = requestSlot(state, T0, bigLimits, { deviceId: `d${i}`, runId: `r${i}` });
      if (decision.kind !== 'admit' && decision.kind !== 'reserved') throw new Error(decision.kind);
      slots.push(decision.kind === 'admit' ? T0 : decision.slotMs);
      state = decision.state;
    }
    for (const end of slots) expect(slots.filter((t) => t > end - SPAN && t <= end).length).toBeLessThanOrEqual(10);
    expect(Math.max(...slots)).toBe(T0 + 19 * SPAN);
  });

  it('keeps a reservation until its time, then admits its owner', () => {
    const first = requestSlot(withSlots(tenAt(T0 - 30_000)), T0, limits, { deviceId: 'd', runId: 'r' });
    if (first.kind !== 'reserved') throw new Error(first.kind);
    expect(requestSlot(first.state, T0 + 1_000, limits, { deviceId: 'd', runId: 'r' })).toMatchObject({ kind: 'reserved', slotMs: first.slotMs });
    expect(requestSlot(first.state, first.slotMs, limits, { deviceId: 'd', runId: 'r' }).kind).toBe('admit');
  });

  it('moves a reservation that a later 429 overtook', () => {
    const first = requestSlot(withSlots(tenAt(T0 - 30_000)), T0, limits, { deviceId: 'd', runId: 'r' });
    if (first.kind !== 'reserved') throw new Error(first.kind);
    const penalised = applyPenalty(first.state, first.slotMs + 20_000);
    expect(requestSlot(penalised, first.slotMs, limits, { deviceId: 'd', runId: 'r' })).toMatchObject({ kind: 'reserved', slotMs: first.slotMs + 20_000 });
  });

  it('admits a message that arrives a little late in its own slot, and re-plans one later than the margin', () => {
    const first = requestSlot(withSlots(tenAt(T0 - 30_000)), T0, limits, { deviceId: 'd', runId: 'r' });
    if (first.kind !== 'reserved') throw new Error(first.kind);
    expect(requestSlot(first.state, first.slotMs + limits.safetyMarginMs, limits, { deviceId: 'd', runId: 'r' }).kind).toBe('admit');
    // The next span is full (ten slots at slot + SPAN): a late arrival must not squeeze in before them.
    const own = first.slotMs;
    const crowded: PacingState = { ...first.state, slotsMs: [...first.state.slotsMs, ...tenAt(own + SPAN)] };
    const late = requestSlot(crowded, own + limits.safetyMarginMs + 1, limits, { deviceId: 'd', runId: 'r' });
    expect(late).toMatchObject({ kind: 'reserved', slotMs: own + 2 * SPAN });
  });

  it('frees what a crashed worker reserved once the grace has passed', () => {
    const state = withSlots([], 0);
    state.holds.d = { kind: 'reserved', runId: 'lost', slotMs: T0 - limits.reservationGraceMs - 1, expiresMs: T0 - 1 };
    expect(requestSlot(state, T0, limits, { deviceId: 'd', runId: 'r' }).kind).toBe('admit');
  });

  it('backs a device off exponentially while someone else holds a session on it', () => {
    let state = emptyPacingState();
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const marked = markDeviceBusy(state, 'd', 'r', T0, limits.deviceBusyRetryMs, limits.deviceBusyMaxRetryMs);
      state = marked.state;
      waits.push(marked.waitMs);
    }
    expect(waits).toEqual([120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000]);
    expect(requestSlot(state, T0 + 1_000, limits, { deviceId: 'd', runId: 'r' })).toMatchObject({ kind: 'wait', reason: 'device-backoff' });
  });

  it('releases only the hold of the run that owns it', () => {
    const state = withSlots([], 2);
    expect(releaseHold(state, 'dev0', 'other').holds.dev0).toBeDefined();
    expect(releaseHold(state, 'dev0', 'run0').holds.dev0).toBeUndefined();
  });

  it('places a slot so that a later full span keeps its ten', () => {
    // Ten slots 30 s ahead: a new one now would put eleven into the span that ends at them.
    expect(earliestSlot({ slotsMs: tenAt(T0 + 30_000), penaltyUntilMs: 0 }, T0, limits, SPAN)).toBe(T0 + 30_000 + SPAN);
  });
});
