import { countCall } from './callMinutes.js';
import type { PacingLimits } from './limits.js';
import { withCeiling } from './learnedCeiling.js';
import { callsOf, insertSorted, withoutOne } from './slotTimes.js';
import { prune, reservedSlots, sessionsOpen, type Hold, type PacingState } from './state.js';

export type SlotDecision =
  /**
   * Call at `atMs` (now, or a moment later: at most the send lead): the slot
   * is taken and the device's session is held.
   */
  | { kind: 'admit'; atMs: number; state: PacingState }
  /** A future slot is reserved for this device: deliver the message then. */
  | { kind: 'reserved'; slotMs: number; state: PacingState }
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
  if (hold && hold.runId !== request.runId) return { kind: 'wait', waitMs: limits.deviceBusyRetryMs, reason: 'device-busy' };
  if (hold?.kind === 'open')
    return { kind: 'already-open', admittedMs: hold.submittedMs, ...(hold.actionId ? { actionId: hold.actionId } : {}) };
  if (hold?.kind === 'reserved') return arrivedForSlot(current, nowMs, limits, spanMs, request, hold.slotMs);
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
  if (slotMs <= nowMs + limits.sendLeadMs)
    return { kind: 'admit', atMs: slotMs, state: openHold({ ...current, slotsMs }, request, slotMs, limits) };
  return {
    kind: 'reserved',
    slotMs,
    state: { ...current, slotsMs, holds: { ...current.holds, [request.deviceId]: reservedHold(request.runId, slotMs, limits) } },
  };
}

/**
 * Books send slots for many devices in one go (a run's start): each device
 * not already held or backing off gets a reservation, in order, until the
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
    if (current.holds[request.deviceId] || (busy && busy.untilMs > nowMs)) continue;
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

function reservedHold(runId: string, slotMs: number, limits: PacingLimits): Hold {
  return { kind: 'reserved', runId, slotMs, expiresMs: slotMs + limits.reservationGraceMs };
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
