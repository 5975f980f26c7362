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
    const { perMinute, ...liveResponse } = pacingStatus(emptyPacingState(), clock.nowMs(), limits).liveResponse;
    expect(liveResponse).toEqual({
      callsInWindow: 0,
      windowMs: 60_000,
      limit: 10,
      limitInForce: 10,
      reservedSlots: 0,
      nextFreeSlotMs: clock.nowMs(),
    });
    expect(perMinute.map((m) => m.calls)).toEqual(Array<number>(60).fill(0));
    expect(pacingStatus(emptyPacingState(), clock.nowMs(), limits)).toMatchObject({
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

  it('shows the calls admitted in each minute of the last hour, oldest first, ending with the current minute; older ones drop off', () => {
    const clock = new ManualClock();
    clock.set(Date.UTC(2026, 11, 2, 10, 0, 30));
    let state = callsMade(emptyPacingState(), clock, 3, 'a');
    clock.advance(2 * 60_000);
    state = callsMade(state, clock, 2, 'b');
    const perMinute = pacingStatus(state, clock.nowMs(), limits).liveResponse.perMinute;
    expect(perMinute).toHaveLength(60);
    expect(perMinute.at(-1)).toEqual({ minuteStartMs: Date.UTC(2026, 11, 2, 10, 2), calls: 2 });
    expect(perMinute.at(-3)).toEqual({ minuteStartMs: Date.UTC(2026, 11, 2, 10, 0), calls: 3 });
    expect(perMinute.reduce((sum, m) => sum + m.calls, 0)).toBe(5);
    expect(perMinute.map((m) => m.minuteStartMs)).toEqual([...perMinute.map((m) => m.minuteStartMs)].sort((a, b) => a - b));
    clock.advance(59 * 60_000);
    const hourLater = pacingStatus(state, clock.nowMs(), limits).liveResponse.perMinute;
    expect(hourLater[0]).toEqual({ minuteStartMs: Date.UTC(2026, 11, 2, 10, 2), calls: 2 });
    expect(hourLater.reduce((sum, m) => sum + m.calls, 0)).toBe(2);
  });

  it('counts a reserved slot only when its call is admitted', () => {
    const clock = new ManualClock();
    const requests = Array.from({ length: 15 }, (_, i) => ({ deviceId: `d${i}`, runId: 'r3' }));
    const booked = bookSlots(emptyPacingState(), clock.nowMs(), limits, requests).state;
    expect(pacingStatus(booked, clock.nowMs(), limits).liveResponse.perMinute.at(-1)?.calls).toBe(0);
    clock.advance(limits.sendLeadMs);
    const arrived = requestSlot(booked, clock.nowMs(), limits, { deviceId: 'd0', runId: 'r3' });
    if (arrived.kind !== 'admit') throw new Error(`d0 was not admitted: ${arrived.kind}`);
    expect(pacingStatus(arrived.state, clock.nowMs(), limits).liveResponse.perMinute.at(-1)?.calls).toBe(1);
  });

  it('keeps the record small: an hour of minute counts at most, however long the tenant runs', () => {
    const clock = new ManualClock();
    let state = emptyPacingState();
    for (let minute = 0; minute < 150; minute++) {
      state = callsMade(state, clock, 1, `m${minute}-`);
      state = { ...state, holds: {} };
      clock.advance(60_000);
    }
    expect(state.callMinutes?.length).toBe(60);
    expect(JSON.stringify(state.callMinutes).length).toBeLessThan(1_500);
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
