import { describe, expect, it } from 'vitest';
import { applyPenalty, markDeviceBusy, releaseHold } from '../../../shared/pacing/holds.js';
import { callRefused } from '../../../shared/pacing/learnedCeiling.js';
import { MAX_RESERVATIONS, arrivalForSlot, bookSlots, callAnswered, earliestSlot, requestSlot } from '../../../shared/pacing/sendSlots.js';
import { emptyPacingState, type PacingState } from '../../../shared/pacing/state.js';
import { limits, SPAN } from './pacingLimits.js';

const T0 = 10_000_000;

function withSlots(slotsMs: number[], holds = 0): PacingState {
  const state = { ...emptyPacingState(), slotsMs };
  for (let i = 0; i < holds; i++)
    state.holds[`dev${i}`] = { kind: 'open', runId: `run${i}`, submittedMs: T0 - 1, expiresMs: T0 + 1e9, nextPollMs: T0 + 1 };
  return state;
}
const tenAt = (t: number): number[] => Array.from({ length: 10 }, () => t);

/** Adds reservations (holds and slots) for devices `<prefix>0..n`. */
function withReservations(state: PacingState, slotsMs: number[], prefix = 'later'): PacingState {
  const holds = { ...state.holds };
  slotsMs.forEach((slotMs, i) => {
    holds[`${prefix}${i}`] = { kind: 'reserved', runId: 'r', slotMs, expiresMs: slotMs + limits.reservationGraceMs };
  });
  return { ...state, holds, slotsMs: [...state.slotsMs, ...slotsMs].sort((a, b) => a - b) };
}

describe('the send-slot ledger', () => {
  it.each([
    { name: 'admits at once on an empty ledger', state: emptyPacingState(), kind: 'admit' },
    { name: 'admits the tenth call of a window', state: withSlots(Array.from({ length: 9 }, (_, i) => T0 - 50_000 + i)), kind: 'admit' },
    {
      name: 'reserves the 11th call a span after the oldest of the ten',
      state: withSlots(tenAt(T0 - 30_000)),
      kind: 'reserved',
      slotMs: T0 - 30_000 + SPAN,
    },
    { name: 'forgets calls older than the span', state: withSlots(tenAt(T0 - SPAN)), kind: 'admit' },
    { name: 'reserves after a 429 penalty', state: applyPenalty(emptyPacingState(), T0 + 7_000), kind: 'reserved', slotMs: T0 + 7_000 },
    { name: 'waits when 25 sessions are held', state: withSlots([], 25), kind: 'wait', reason: 'sessions-full' },
    { name: 'queues for a device another run holds', state: withSlots([], 3), device: 'dev1', kind: 'queued' },
  ])('$name', ({ state, kind, slotMs, reason, device }) => {
    const decision = requestSlot(state, T0, limits, { deviceId: device ?? 'new', runId: 'mine' });
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'reserved') expect(decision.slotMs).toBe(slotMs);
    if (decision.kind === 'wait') expect(decision.reason).toBe(reason);
  });

  it('gives 200 simultaneous requests slots ten per span, never eleven in any span', () => {
    let state = emptyPacingState();
    const slots: number[] = [];
    for (let i = 0; i < 200; i++) {
      const decision = requestSlot(state, T0, limits, { deviceId: `d${i}`, runId: `r${i}` });
      if (decision.kind !== 'admit' && decision.kind !== 'reserved') throw new Error(decision.kind);
      slots.push(decision.kind === 'admit' ? T0 : decision.slotMs);
      state = decision.state;
    }
    for (const end of slots) expect(slots.filter((t) => t > end - SPAN && t <= end).length).toBeLessThanOrEqual(10);
    expect(Math.max(...slots)).toBe(T0 + 19 * SPAN);
  });

  it('does not count reservations as sessions, and moves a slot a little later when the sessions are full at its time', () => {
    const reserved = requestSlot(withSlots(tenAt(T0 - 30_000), 24), T0, limits, { deviceId: 'd', runId: 'r' });
    expect(reserved.kind).toBe('reserved');
    if (reserved.kind !== 'reserved') return;
    const full: PacingState = {
      ...reserved.state,
      holds: { ...reserved.state.holds, other: { kind: 'open', runId: 'o', submittedMs: T0, expiresMs: T0 + 1e9, nextPollMs: T0 } },
    };
    expect(requestSlot(full, reserved.slotMs, limits, { deviceId: 'd', runId: 'r' })).toMatchObject({
      kind: 'reserved',
      slotMs: reserved.slotMs + limits.sessionsFullRetryMs,
    });
  });

  it('stops booking once the ledger holds its maximum of reservations', () => {
    let state = emptyPacingState();
    let waited = 0;
    for (let i = 0; i < MAX_RESERVATIONS + 20; i++) {
      const decision = requestSlot(state, T0, limits, { deviceId: `d${i}`, runId: `r${i}` });
      if (decision.kind === 'admit' || decision.kind === 'reserved') state = decision.state;
      else if (decision.kind === 'wait' && decision.reason === 'ledger-full') waited += 1;
    }
    expect(waited).toBe(10);
    expect(Object.keys(state.holds)).toHaveLength(MAX_RESERVATIONS + 10);
  });

  it('keeps a reservation until its time, then admits its owner', () => {
    const first = requestSlot(withSlots(tenAt(T0 - 30_000)), T0, limits, { deviceId: 'd', runId: 'r' });
    if (first.kind !== 'reserved') throw new Error(first.kind);
    expect(requestSlot(first.state, T0 + 1_000, limits, { deviceId: 'd', runId: 'r' })).toMatchObject({
      kind: 'reserved',
      slotMs: first.slotMs,
    });
    expect(requestSlot(first.state, first.slotMs, limits, { deviceId: 'd', runId: 'r' }).kind).toBe('admit');
  });

  it('moves a reservation that a later 429 overtook', () => {
    const first = requestSlot(withSlots(tenAt(T0 - 30_000)), T0, limits, { deviceId: 'd', runId: 'r' });
    if (first.kind !== 'reserved') throw new Error(first.kind);
    const penalised = applyPenalty(first.state, first.slotMs + 20_000);
    expect(requestSlot(penalised, first.slotMs, limits, { deviceId: 'd', runId: 'r' })).toMatchObject({
      kind: 'reserved',
      slotMs: first.slotMs + 20_000,
    });
  });

  it('admits a late message at once, checking only the calls before it', () => {
    const first = requestSlot(withSlots(tenAt(T0 - 30_000)), T0, limits, { deviceId: 'd', runId: 'r' });
    if (first.kind !== 'reserved') throw new Error(first.kind);
    // Ten later reservations fill the next span: they will check themselves against this call when they come.
    const crowded = withReservations(first.state, tenAt(first.slotMs + SPAN));
    expect(requestSlot(crowded, first.slotMs + 5_000, limits, { deviceId: 'd', runId: 'r' })).toMatchObject({
      kind: 'admit',
      atMs: first.slotMs + 5_000,
    });
  });

  it('is not held back by reservations whose messages have not come', () => {
    // Ten calls answered at T0-55 s; ten reservations booked for T0 (before those calls were answered late).
    const stale = withReservations(withSlots(tenAt(T0 - 55_000)), tenAt(T0), 'stale');
    const mine = withReservations(stale, [T0], 'mine');
    // The calls allow T0-55 s + span; the nine other reservations at T0 do not push us further.
    expect(requestSlot(mine, T0 - limits.sendLeadMs, limits, { deviceId: 'mine0', runId: 'r' })).toMatchObject({
      kind: 'reserved',
      slotMs: T0 - 55_000 + SPAN,
    });
  });

  it('learns from a 429 how many calls the tenant accepted, books one fewer per window for a while, then trusts the limit again', () => {
    // Ten calls went out together at T0; the tenant accepted four. Six 429s come back, one by one.
    let state = withSlots(tenAt(T0));
    for (let i = 0; i < 6; i++) state = callRefused(state, T0, T0 + 100, T0 + 60_000, limits);
    expect(state.ceiling?.calls).toBe(3);
    expect(state.slotsMs).toEqual(Array<number>(4).fill(T0));
    const { booked } = bookSlots(
      state,
      T0 + 100,
      limits,
      Array.from({ length: 12 }, (_, i) => ({ deviceId: `d${i}`, runId: 'r' })),
    );
    const slots = [...booked.values(), ...state.slotsMs];
    for (const end of slots.filter((t) => t > T0)) expect(slots.filter((t) => t > end - SPAN && t <= end).length).toBeLessThanOrEqual(3);
    expect(Math.min(...booked.values())).toBeGreaterThanOrEqual(T0 + 60_000);
    // Once the ceiling has risen back to the limit, ten per window again.
    const later = (state.ceiling?.endsMs ?? 0) + 1;
    expect(
      bookSlots(
        state,
        later,
        limits,
        Array.from({ length: 10 }, (_, i) => ({ deviceId: `e${i}`, runId: 'r' })),
      ).booked.size,
    ).toBe(10);
    expect(
      new Set(
        bookSlots(
          state,
          later,
          limits,
          Array.from({ length: 10 }, (_, i) => ({ deviceId: `e${i}`, runId: 'r' })),
        ).booked.values(),
      ).size,
    ).toBe(1);
  });

  it('never admits a message that comes within the send lead while every session is taken, and spreads such messages out', () => {
    // 25 open sessions; twelve reservations due at T0 come back one after another.
    let state = withReservations(
      withSlots([], 25),
      Array.from({ length: 12 }, () => T0),
      'waiting',
    );
    const moved: number[] = [];
    for (let i = 0; i < 12; i++) {
      const decision = requestSlot(state, T0 - limits.sendLeadMs, limits, { deviceId: `waiting${i}`, runId: 'r' });
      if (decision.kind !== 'reserved') throw new Error(`expected reserved, got ${decision.kind}`);
      moved.push(decision.slotMs);
      state = decision.state;
    }
    expect(Math.min(...moved)).toBeGreaterThanOrEqual(T0 - limits.sendLeadMs + limits.sessionsFullRetryMs);
    for (const end of moved) expect(moved.filter((t) => t > end - SPAN && t <= end).length).toBeLessThanOrEqual(10);
  });

  it('never puts an eleventh call into the window of a call admitted a moment ahead', () => {
    // Nine calls, then one admitted for T0+1.5 s (within the send lead); ours is reserved for T0+1 s.
    const nine = Array.from({ length: 9 }, (_, i) => T0 - 50_000 + i);
    const state = withReservations(withSlots([...nine, T0 + 1_500]), [T0 + 1_000], 'mine');
    const decision = requestSlot(state, T0, limits, { deviceId: 'mine0', runId: 'r' });
    const atMs = decision.kind === 'admit' ? decision.atMs : decision.kind === 'reserved' ? decision.slotMs : Number.NaN;
    const calls = [...nine, T0 + 1_500, atMs];
    for (const end of calls) expect(calls.filter((t) => t > end - SPAN && t <= end).length).toBeLessThanOrEqual(10);
    expect(atMs).toBe(T0 - 50_000 + SPAN);
  });

  it('moves a call to its answer time, so a slow answer pushes the next calls back', () => {
    const first = requestSlot(withSlots(tenAt(T0 - 30_000)), T0, limits, { deviceId: 'd', runId: 'r' });
    if (first.kind !== 'reserved') throw new Error(first.kind);
    // The ten earlier calls were answered 500 ms after they were admitted.
    let state = first.state;
    for (let i = 0; i < 10; i++) state = callAnswered(state, T0 - 30_000, T0 - 29_500);
    const arrival = first.slotMs - limits.sendLeadMs;
    expect(requestSlot(state, arrival, limits, { deviceId: 'd', runId: 'r' })).toMatchObject({
      kind: 'reserved',
      slotMs: T0 - 29_500 + SPAN,
    });
  });

  it.each([
    { name: "admits a slot within the send lead, for the slot's own instant", oldest: T0 - 59_000, kind: 'admit', atMs: T0 + 2_000 },
    { name: 'reserves a slot beyond the send lead', oldest: T0 - 58_000, kind: 'reserved', atMs: T0 + 3_000 },
  ])('$name', ({ oldest, kind, atMs }) => {
    const decision = requestSlot(withSlots(tenAt(oldest)), T0, limits, { deviceId: 'd', runId: 'r' });
    expect(decision.kind).toBe(kind);
    expect(decision.kind === 'admit' ? decision.atMs : decision.kind === 'reserved' ? decision.slotMs : undefined).toBe(atMs);
    if (decision.kind === 'admit') expect(decision.state.holds.d).toMatchObject({ kind: 'open', submittedMs: atMs });
  });

  it('brings a reserved message back the send lead before its slot, never in the past', () => {
    expect(arrivalForSlot(T0 + 61_000, T0, limits)).toBe(T0 + 59_000);
    expect(arrivalForSlot(T0 + 1_000, T0, limits)).toBe(T0);
  });

  it('books a whole run in one go: ten per span, never eleven, the first ten now when the quota is idle', () => {
    const requests = Array.from({ length: 200 }, (_, i) => ({ deviceId: `d${i}`, runId: 'run' }));
    const { state, booked } = bookSlots(withSlots([]), T0, limits, requests);
    const slots = [...booked.values()];
    expect(slots).toHaveLength(200);
    expect(slots.filter((t) => t === T0)).toHaveLength(10);
    for (const end of slots) expect(slots.filter((t) => t > end - SPAN && t <= end).length).toBeLessThanOrEqual(10);
    expect(Math.max(...slots)).toBe(T0 + 19 * SPAN);
    expect(state.holds.d0).toMatchObject({ kind: 'reserved', runId: 'run', slotMs: T0 });
    // A slot booked for now is sent for now and admitted at once; a later one comes the send lead early, admitted for its slot.
    expect(arrivalForSlot(T0, T0, limits)).toBe(T0);
    expect(requestSlot(state, T0, limits, { deviceId: 'd0', runId: 'run' })).toMatchObject({ kind: 'admit', atMs: T0 });
    expect(requestSlot(state, T0 + SPAN - limits.sendLeadMs, limits, { deviceId: 'd10', runId: 'run' })).toMatchObject({
      kind: 'admit',
      atMs: T0 + SPAN,
    });
  });

  it('says when it leaves the ledger full', () => {
    const requests = Array.from({ length: MAX_RESERVATIONS }, (_, i) => ({ deviceId: `d${i}`, runId: 'run' }));
    expect(bookSlots(withSlots([]), T0, limits, requests).ledgerFull).toBe(true);
    expect(bookSlots(withSlots([]), T0, limits, requests.slice(1)).ledgerFull).toBe(false);
  });

  it('books around calls already made, and skips devices held or backing off', () => {
    const busy = markDeviceBusy(
      withSlots(tenAt(T0 - 30_000), 1),
      'backing',
      'other',
      T0,
      limits.deviceBusyRetryMs,
      limits.deviceBusyMaxRetryMs,
    ).state;
    const { booked } = bookSlots(
      busy,
      T0,
      limits,
      ['dev0', 'backing', 'free'].map((deviceId) => ({ deviceId, runId: 'run' })),
    );
    expect([...booked]).toEqual([['free', T0 - 30_000 + SPAN]]);
  });

  it('books no more than the ledger holds', () => {
    const requests = Array.from({ length: MAX_RESERVATIONS + 20 }, (_, i) => ({ deviceId: `d${i}`, runId: 'run' }));
    expect(bookSlots(emptyPacingState(), T0, limits, requests).booked.size).toBe(MAX_RESERVATIONS);
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
