import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { MAX_WAITERS, MAX_WAITERS_PER_DEVICE, waitingTotal } from '../../../shared/pacing/deviceQueue.js';
import { pacingStatus } from '../../../shared/pacing/pacingStatus.js';
import { requestSlot } from '../../../shared/pacing/sendSlots.js';
import { emptyPacingState, type PacingState } from '../../../shared/pacing/state.js';
import { LONGEST_LINES_SHOWN, waitingLines } from '../../../shared/pacing/waitingLines.js';
import { limits } from './pacingLimits.js';

const T0 = Date.parse('2026-12-05T02:00:00Z');

/** `holder` holds `deviceId` (admitted, or a slot reserved, at `nowMs`), then each of `waiting` asks for it and waits in its line. */
function line(state: PacingState, deviceId: string, waiting: readonly string[], nowMs = T0, holder = `holder-${deviceId}`): PacingState {
  const held = requestSlot(state, nowMs, limits, { deviceId, runId: holder });
  if (held.kind !== 'admit' && held.kind !== 'reserved') throw new Error(`${deviceId} was not held: ${held.kind}`);
  let next = held.state;
  for (const runId of waiting) {
    const asked = requestSlot(next, nowMs, limits, { deviceId, runId });
    if (asked.kind !== 'queued') throw new Error(`${runId} did not join ${deviceId}'s line: ${asked.kind}`);
    next = asked.state;
  }
  return next;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

const runs = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('the waiting lines in the pacing status', () => {
  it('shows no line on an idle tenant, and the bounds a line is kept to', () => {
    expect(waitingLines(emptyPacingState(), T0, limits)).toEqual({
      waiters: 0,
      waitersLimit: 1_000,
      devices: 0,
      perDeviceLimit: 100,
      longest: [],
    });
    expect([MAX_WAITERS, MAX_WAITERS_PER_DEVICE]).toEqual([1_000, 100]);
  });

  it('counts the runs waiting tenant-wide and the devices with a line; the longest line first, with when its first waiter’s fallback comes back', () => {
    let state = line(emptyPacingState(), 'dev-a', runs(2, 'a'));
    const clock = new ManualClock(T0);
    clock.advance(30_000);
    state = line(state, 'dev-b', runs(3, 'b'), clock.nowMs());
    const first = requestSlot(state, clock.nowMs(), limits, { deviceId: 'dev-b', runId: 'b0' });
    if (first.kind !== 'queued') throw new Error(first.kind);

    const lines = waitingLines(state, clock.nowMs(), limits);
    expect(lines).toMatchObject({ waiters: 5, devices: 2 });
    expect(lines.longest).toEqual([
      { deviceId: 'dev-b', waiters: 3, firstWaiterFallbackMs: clock.nowMs() + first.waitMs },
      { deviceId: 'dev-a', waiters: 2, firstWaiterFallbackMs: T0 + limits.deviceBusyRetryMs },
    ]);
    expect(pacingStatus(state, clock.nowMs(), limits).waitingLines).toEqual(lines);
    // Holding a device with nobody waiting is no line: dev-b's holder is a reserved or open hold, counted elsewhere.
    expect(pacingStatus(state, clock.nowMs(), limits).devices.waiting).toBe(0);
  });

  it('leaves out waiters whose message never came back, as the tenant-wide bound does, and a device whose waiters all lapsed', () => {
    const state = line(line(emptyPacingState(), 'dev-a', ['a0']), 'dev-b', runs(2, 'b'));
    const a0LapsesMs = state.queues?.['dev-a']?.[0]?.untilMs ?? 0;
    const b1LapsesMs = state.queues?.['dev-b']?.[1]?.untilMs ?? 0;
    expect(b1LapsesMs).toBeGreaterThan(a0LapsesMs);

    const later = waitingLines(state, a0LapsesMs, limits);
    expect(later).toMatchObject({ waiters: 1, devices: 1, longest: [{ deviceId: 'dev-b', waiters: 1 }] });
    expect(later.waiters).toBe(waitingTotal(state, a0LapsesMs));
    expect(waitingLines(state, b1LapsesMs, limits)).toMatchObject({ waiters: 0, devices: 0, longest: [] });
  });

  it(`names at most ${LONGEST_LINES_SHOWN} lines, the longest first, ties in device id order, and counts them all`, () => {
    let state = emptyPacingState();
    // Twelve devices: dev-00 has 1 waiter ... dev-11 has 12; dev-x and dev-w tie with dev-11 at 12.
    for (let d = 0; d < 12; d++) state = line(state, `dev-${String(d).padStart(2, '0')}`, runs(d + 1, `r${d}.`));
    state = line(state, 'dev-x', runs(12, 'x'));
    state = line(state, 'dev-w', runs(12, 'w'));

    const lines = waitingLines(state, T0, limits);
    expect(lines.devices).toBe(14);
    expect(lines.waiters).toBe(78 + 24);
    expect(lines.longest.map((l) => `${l.deviceId}:${l.waiters}`)).toEqual([
      'dev-11:12',
      'dev-w:12',
      'dev-x:12',
      'dev-10:11',
      'dev-09:10',
      'dev-08:9',
      'dev-07:8',
      'dev-06:7',
      'dev-05:6',
      'dev-04:5',
    ]);
  });

  it('shows a full line at its bound: one more run does not join it', () => {
    const state = line(emptyPacingState(), 'dev-a', runs(MAX_WAITERS_PER_DEVICE, 'a'));
    const lines = waitingLines(state, T0, limits);
    expect(lines.longest[0]).toMatchObject({ deviceId: 'dev-a', waiters: lines.perDeviceLimit });
    expect(requestSlot(state, T0, limits, { deviceId: 'dev-a', runId: 'late' }).kind).toBe('wait');
  });

  it('reads the record as stored without changing it, lapsed waiters left in place', () => {
    const state = deepFreeze(line(emptyPacingState(), 'dev-a', runs(3, 'a')));
    const copy = structuredClone(state);
    const a0LapsesMs = state.queues?.['dev-a']?.[0]?.untilMs ?? 0;
    expect(waitingLines(state, a0LapsesMs, limits).waiters).toBe(2);
    expect(state).toEqual(copy);
  });
});
