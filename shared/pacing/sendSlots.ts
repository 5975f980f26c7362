import { countCall } from './callMinutes.js';
import type { PacingLimits } from './limits.js';
import { withCeiling } from './learnedCeiling.js';
import { callsOf, insertSorted, withoutOne } from './slotTimes.js';
import { joinQueue, leaveQueue, waitersOf } from './deviceQueue.js';
import { prune, reservedSlots, sessionsOpen, type Hold, type PacingState } from './state.js';

export type SlotDecision =
  /**
   * Call at `atMs` (now, or a moment later: at most the send lead): the slot
   * is taken and the device's session is held.
   */
  | { kind: 'admit'; atMs: number; state: PacingState }
  /** A future slot is reserved for this device: deliver the message then. */
  | { kind: 'reserved'; slotMs: number; state: PacingState }
  /**
   * Another run holds the device: this one waits in its line at `position`
   * (0: next), woken when the device is released (handOver.ts); its message
   * comes back after `waitMs` only if no wake-up came first.
   */
  | { kind: 'queued'; position: number; waitMs: number; state: PacingState }
  /** Nothing reserved: ask again after waitMs. */
  | { kind: 'wait'; waitMs: number; reason: 'device-busy' | 'device-backoff' | 'sessions-full' | 'ledger-full' }
  /** This run already holds a session on the device: admitted at `admittedMs`; `actionId` once the action is recorded. */
  | { kind: 'already-open'; admittedMs: number; actionId?: string };

/** Reserved slots kept at most; bounds the shared state (and how far ahead it books). */
export const MAX_RESERVATIONS = 300;

/**
 * The send-slot ledger, as a pure function of (state, now, limits). Each
 * submission takes the earliest slot that keeps every window of
 * `liveResponseWindowMs + safetyMarginMs` at or under `liveResponseCalls`
 * calls and is not before a 429 penalty; a slot in the future is reserved,
 * so the message waits in the queue, not in a function. A reservation holds
 * the device (two runs never race for one) but not a session: sessions are
 * counted when the call is made, against open actions (Pending or
 * InProgress); when they are all taken at a slot's time, the slot moves
 * a little later and keeps its place.
 *
 * A slot at most `sendLeadMs` ahead is admitted at once for its own instant:
 * the message comes that much early, does its bookkeeping, and calls on the
 * slot, so our own latency does not push every later slot back.
 */
export function requestSlot(
  state: PacingState,
  nowMs: number,
  configured: PacingLimits,
  request: { deviceId: string; runId: string },
): SlotDecision {
  const limits = withCeiling(state, nowMs, configured);
  const spanMs = limits.liveResponseWindowMs + limits.safetyMarginMs;
  const current = prune(state, nowMs, nowMs - spanMs);
  const hold = current.holds[request.deviceId];
  if (hold && hold.runId !== request.runId) return waitInLine(current, nowMs, limits, request);
  if (hold?.kind === 'open')
    return { kind: 'already-open', admittedMs: hold.submittedMs, ...(hold.actionId ? { actionId: hold.actionId } : {}) };
  if (hold?.kind === 'reserved') return arrivedForSlot(current, nowMs, limits, spanMs, request, hold.slotMs);
  // A free device with a line goes to the first in line only: a newcomer (or a late fallback copy) waits behind.
  const first = waitersOf(current, request.deviceId, nowMs)[0];
  if (first && first.runId !== request.runId) return waitInLine(current, nowMs, limits, request);
  const busy = current.busy[request.deviceId];
  if (busy && busy.untilMs > nowMs) return { kind: 'wait', waitMs: busy.untilMs - nowMs, reason: 'device-backoff' };
  if (sessionsOpen(current) >= limits.maxSessions) return { kind: 'wait', waitMs: limits.sessionsFullRetryMs, reason: 'sessions-full' };
  const reserved = reservedSlots(current);
  if (reserved.length >= MAX_RESERVATIONS) {
    // The ledger is booked far ahead (half an hour at 10 a minute): come back when half of it is spent.
    return { kind: 'wait', waitMs: Math.max(limits.liveResponseWindowMs, (Math.max(...reserved) - nowMs) / 2), reason: 'ledger-full' };
  }
  const slotMs = earliestSlot(current, nowMs, limits, spanMs);
  const slotsMs = insertSorted(current.slotsMs, slotMs);
  const served = leaveQueue(current, request.deviceId, request.runId);
  if (slotMs <= nowMs + limits.sendLeadMs)
    return { kind: 'admit', atMs: slotMs, state: openHold({ ...served, slotsMs }, request, slotMs, limits) };
  return {
    kind: 'reserved',
    slotMs,
    state: { ...served, slotsMs, holds: { ...served.holds, [request.deviceId]: reservedHold(request.runId, slotMs, limits) } },
  };
}

/** The device is held by another run, or others wait for it first: wait in its line, or past the line's bound retry as before. */
function waitInLine(state: PacingState, nowMs: number, limits: PacingLimits, request: { deviceId: string; runId: string }): SlotDecision {
  const joined = joinQueue(state, request.deviceId, request.runId, nowMs, limits);
  if (!joined) return { kind: 'wait', waitMs: limits.deviceBusyRetryMs, reason: 'device-busy' };
  return { kind: 'queued', ...joined };
}

/**
 * Books send slots for many devices in one go (a run's start): each device
 * not already held, waited for or backing off gets a reservation, in order, until the
 * ledger is full. A slot free now is booked for now: its message is sent for
 * immediate handling and calls as soon as it is admitted (the send lead is
 * for slots in the future, whose messages come that much early). A
 * reservation is not a session: sessions are checked when each message
 * comes for its slot. Returns the slot of every device booked, and whether
 * the ledger is left full (nothing more can be booked until a reservation is
 * used or given back).
 */
export function bookSlots(
  state: PacingState,
  nowMs: number,
  configured: PacingLimits,
  requests: readonly { deviceId: string; runId: string }[],
): { state: PacingState; booked: Map<string, number>; ledgerFull: boolean } {
  const limits = withCeiling(state, nowMs, configured);
  const spanMs = limits.liveResponseWindowMs + limits.safetyMarginMs;
  let current = prune(state, nowMs, nowMs - spanMs);
  let reserved = reservedSlots(current).length;
  const booked = new Map<string, number>();
  for (const request of requests) {
    if (reserved >= MAX_RESERVATIONS) break;
    const busy = current.busy[request.deviceId];
    const waited = waitersOf(current, request.deviceId, nowMs).length > 0;
    if (current.holds[request.deviceId] || waited || (busy && busy.untilMs > nowMs)) continue;
    const slotMs = earliestSlot(current, nowMs, limits, spanMs);
    current = {
      ...current,
      slotsMs: insertSorted(current.slotsMs, slotMs),
      holds: { ...current.holds, [request.deviceId]: reservedHold(request.runId, slotMs, limits) },
    };
    booked.set(request.deviceId, slotMs);
    reserved += 1;
  }
  return { state: current, booked, ledgerFull: reserved >= MAX_RESERVATIONS };
}

/** When a message for a slot should arrive: the send lead before it, never in the past. */
export const arrivalForSlot = (slotMs: number, nowMs: number, limits: Pick<PacingLimits, 'sendLeadMs'>): number =>
  Math.max(nowMs, slotMs - limits.sendLeadMs);

/** A reserved send slot held for the run: freed `reservationGraceMs` after its time (or at `keepUntilMs` if later) if its message never comes. */
export function reservedHold(runId: string, slotMs: number, limits: Pick<PacingLimits, 'reservationGraceMs'>, keepUntilMs = 0): Hold {
  return { kind: 'reserved', runId, slotMs, expiresMs: Math.max(slotMs + limits.reservationGraceMs, keepUntilMs) };
}

/**
 * A reserved message has come back (the send lead early, or late). With
 * every session taken, it is moved a little later and keeps its place. Its call
 * is placed against the calls made or admitted (some a moment ahead: the
 * windows ending at those are checked too), not against reservations, ours
 * or others': each of those checks itself against the calls when its message
 * comes. So a message that comes late still calls at once instead of being
 * pushed behind every later reservation, and none is held back by a
 * reservation whose message has not come (placed before the calls ahead of it
 * moved). Never before its own slot. Recorded call times are answer times
 * (see callAnswered), never earlier than when Defender saw the call.
 */
function arrivedForSlot(
  state: PacingState,
  nowMs: number,
  limits: PacingLimits,
  spanMs: number,
  request: { deviceId: string; runId: string },
  slotMs: number,
): SlotDecision {
  const others = withoutOne(state.slotsMs, slotMs);
  const from = Math.max(nowMs, slotMs);
  if (from <= nowMs + limits.sendLeadMs && sessionsOpen(state) >= limits.maxSessions) {
    // Every session taken when we would call: never admitted now; keep our place among all slots,
    // reservations included (so waiting messages spread out instead of piling onto one instant), a little later.
    const later = earliestSlot(
      { slotsMs: others, penaltyUntilMs: state.penaltyUntilMs },
      Math.max(nowMs + limits.sessionsFullRetryMs, slotMs),
      limits,
      spanMs,
    );
    return {
      kind: 'reserved',
      slotMs: later,
      state: {
        ...state,
        slotsMs: insertSorted(others, later),
        holds: { ...state.holds, [request.deviceId]: reservedHold(request.runId, later, limits) },
      },
    };
  }
  const x = earliestSlot({ slotsMs: callsOf(state), penaltyUntilMs: state.penaltyUntilMs }, from, limits, spanMs);
  const slotsMs = insertSorted(others, x);
  if (x <= nowMs + limits.sendLeadMs) return { kind: 'admit', atMs: x, state: openHold({ ...state, slotsMs }, request, x, limits) };
  return {
    kind: 'reserved',
    slotMs: x,
    state: { ...state, slotsMs, holds: { ...state.holds, [request.deviceId]: reservedHold(request.runId, x, limits) } },
  };
}

/** The call admitted at `admittedMs` was answered at `answeredMs`: record the later time, which is never before Defender saw it. */
export function callAnswered(state: PacingState, admittedMs: number, answeredMs: number): PacingState {
  if (!state.slotsMs.includes(admittedMs) || answeredMs <= admittedMs) return state;
  return { ...state, slotsMs: insertSorted(withoutOne(state.slotsMs, admittedMs), answeredMs) };
}

/**
 * The earliest instant ≥ now and ≥ the penalty at which one more slot keeps
 * every span ending at a slot at or under `liveResponseCalls` slots.
 */
export function earliestSlot(
  state: Pick<PacingState, 'slotsMs' | 'penaltyUntilMs'>,
  nowMs: number,
  limits: Pick<PacingLimits, 'liveResponseCalls'>,
  spanMs: number,
): number {
  const limit = limits.liveResponseCalls;
  const slots = state.slotsMs;
  let x = Math.max(nowMs, state.penaltyUntilMs);
  // x only moves later, each time to a slot or a slot plus the span: a bounded number of candidates.
  for (let guard = 0; guard <= 2 * slots.length + 2; guard++) {
    // The span ending at x must hold fewer than `limit` slots before x is added.
    const upTo = slots.filter((t) => t <= x);
    const inSpan = upTo.filter((t) => t > x - spanMs);
    if (inSpan.length >= limit) {
      x = (inSpan[inSpan.length - limit] ?? x) + spanMs;
      continue;
    }
    // Every later slot y whose span would now contain x must still have room.
    const full = slots.find((y) => y > x && y < x + spanMs && slots.filter((t) => t > y - spanMs && t <= y).length >= limit);
    if (full === undefined) return x;
    x = full;
  }
  // Never hand out a slot that was not checked.
  throw new Error(`no send slot found among ${slots.length} slots from ${nowMs}: the ledger is inconsistent`);
}

/** Admits the call at `atMs`: the device's session is held, and the call counted in its minute (callMinutes.ts). */
function openHold(state: PacingState, request: { deviceId: string; runId: string }, atMs: number, limits: PacingLimits): PacingState {
  return {
    ...countCall(state, atMs),
    holds: {
      ...state.holds,
      [request.deviceId]: {
        kind: 'open',
        runId: request.runId,
        submittedMs: atMs,
        nextPollMs: Number.MAX_SAFE_INTEGER,
        expiresMs: atMs + limits.sessionHoldMs,
      },
    },
  };
}
