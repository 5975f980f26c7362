import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { markDeviceBusy, recordSubmitted } from '../../../shared/pacing/holds.js';
import { callRefused } from '../../../shared/pacing/learnedCeiling.js';
import { pacingStatus } from '../../../shared/pacing/pacingStatus.js';
import { bookSlots, requestSlot } from '../../../shared/pacing/sendSlots.js';
import { emptyPacingState, type PacingState } from '../../../shared/pacing/state.js';
import { takeStatusCalls } from '../../../shared/pacing/statusBudget.js';
import { limits, SPAN } from './pacingLimits.js';

/** `n` devices admitted and their actions recorded at the clock's time: n calls made, n sessions open. */
function callsMade(state: PacingState, clock: ManualClock, n: number, prefix = 'dev'): PacingState {
  let next = state;
  for (let i = 0; i < n; i++) {
    const decision = requestSlot(next, clock.nowMs(), limits, { deviceId: `${prefix}${i}`, runId: 'r1' });
    if (decision.kind !== 'admit') throw new Error(`device ${i} was not admitted: ${decision.kind}`);
    next = recordSubmitted(
      decision.state,
      `${prefix}${i}`,
      'r1',
      `action-${prefix}${i}`,
      clock.nowMs() + 30_000,
      clock.nowMs(),
      86_400_000,
    );
  }
  return next;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

describe('the pacing status', () => {
  it('shows an idle tenant: no calls, every session and budget free, a slot now, no penalty', () => {
    const clock = new ManualClock();
    expect(pacingStatus(emptyPacingState(), clock.nowMs(), limits)).toEqual({
      liveResponse: { callsInWindow: 0, windowMs: 60_000, limit: 10, limitInForce: 10, reservedSlots: 0, nextFreeSlotMs: clock.nowMs() },
      sessions: { inUse: 0, limit: 25 },
      devices: { waiting: 0, backingOff: 0 },
      statusBudget: { lastMinute: { used: 0, limit: 100, left: 100 }, lastHour: { used: 0, limit: 1_500, left: 1_500 } },
    });
  });

  it('counts the calls of the last window and the sessions they opened; the next free slot is when the window has room', () => {
    const clock = new ManualClock();
    const start = clock.nowMs();
    const state = callsMade(emptyPacingState(), clock, 10);
    clock.advance(5_000);
    const busy = pacingStatus(state, clock.nowMs(), limits);
    expect(busy.liveResponse).toMatchObject({ callsInWindow: 10, nextFreeSlotMs: start + SPAN });
    expect(busy.sessions).toEqual({ inUse: 10, limit: 25 });
    clock.advance(60_000);
    const later = pacingStatus(state, clock.nowMs(), limits);
    expect(later.liveResponse).toMatchObject({ callsInWindow: 0, nextFreeSlotMs: clock.nowMs() });
    expect(later.sessions.inUse).toBe(10);
  });

  it('counts devices waiting for a reserved slot, and devices backing off, apart from calls made', () => {
    const clock = new ManualClock();
    const requests = Array.from({ length: 15 }, (_, i) => ({ deviceId: `d${i}`, runId: 'r2' }));
    const booked = bookSlots(emptyPacingState(), clock.nowMs(), limits, requests).state;
    const backingOff = markDeviceBusy(booked, 'd0', 'r2', clock.nowMs(), limits.deviceBusyRetryMs, limits.deviceBusyMaxRetryMs).state;
    const status = pacingStatus(backingOff, clock.nowMs(), limits);
    expect(status.devices).toEqual({ waiting: 14, backingOff: 1 });
    expect(status.liveResponse).toMatchObject({ callsInWindow: 0, reservedSlots: 14 });
    clock.advance(limits.deviceBusyRetryMs);
    expect(pacingStatus(backingOff, clock.nowMs(), limits).devices.backingOff).toBe(0);
  });

  it('shows a 429 penalty and the learned ceiling while they are in force, and neither after', () => {
    const clock = new ManualClock();
    const state = callsMade(emptyPacingState(), clock, 6);
    clock.advance(1_000);
    const refused = callRefused(state, clock.nowMs() - 1_000, clock.nowMs(), clock.nowMs() + 30_000, limits);
    const status = pacingStatus(refused, clock.nowMs(), limits);
    expect(status.penalty).toEqual({ untilMs: clock.nowMs() + 30_000 });
    expect(status.liveResponse.limitInForce).toBeLessThan(10);
    expect(status.liveResponse.ceilingHoldsUntilMs).toBe(refused.ceiling?.untilMs);
    expect(status.liveResponse.nextFreeSlotMs).toBeGreaterThanOrEqual(clock.nowMs() + 30_000);
    clock.set((refused.ceiling?.endsMs ?? 0) + 1);
    const after = pacingStatus(refused, clock.nowMs(), limits);
    expect(after.penalty).toBeUndefined();
    expect(after.liveResponse).toMatchObject({ limitInForce: 10 });
    expect(after.liveResponse.ceilingHoldsUntilMs).toBeUndefined();
  });

  it('shows the status budget used and left this minute and this hour', () => {
    const clock = new ManualClock();
    const taken = takeStatusCalls(emptyPacingState(), clock.nowMs(), limits, 30);
    if (!taken.ok) throw new Error('budget refused');
    expect(pacingStatus(taken.state, clock.nowMs(), limits).statusBudget).toEqual({
      lastMinute: { used: 30, limit: 100, left: 70 },
      lastHour: { used: 30, limit: 1_500, left: 1_470 },
    });
    clock.advance(61_000);
    expect(pacingStatus(taken.state, clock.nowMs(), limits).statusBudget.lastMinute).toEqual({ used: 0, limit: 100, left: 100 });
    clock.advance(60 * 60_000);
    expect(pacingStatus(taken.state, clock.nowMs(), limits).statusBudget.lastHour.used).toBe(0);
  });

  it('reads the record without changing it', () => {
    const clock = new ManualClock();
    const state = deepFreeze(callsMade(emptyPacingState(), clock, 3));
    const copy = structuredClone(state);
    clock.advance(120_000);
    expect(() => pacingStatus(state, clock.nowMs(), limits)).not.toThrow();
    expect(state).toEqual(copy);
  });
});
