import type { PacingLimits } from './limits.js';
import { prune, sessionsHeld, type PacingState } from './state.js';

export type SlotDecision =
  /** Call now: the slot is taken and the device's session is held. */
  | { kind: 'admit'; state: PacingState }
  /** A future slot is reserved for this device: deliver the message then. */
  | { kind: 'reserved'; slotMs: number; state: PacingState }
  /** Nothing reserved: ask again after waitMs. */
  | { kind: 'wait'; waitMs: number; reason: 'device-busy' | 'device-backoff' | 'sessions-full' }
  /** This run already has an open action on the device. */
  | { kind: 'already-open' };

/**
 * The send-slot ledger, as a pure function of (state, now, limits). Each
 * submission takes the earliest slot that keeps every window of
 * `liveResponseWindowMs + safetyMarginMs` at or under `liveResponseCalls`
 * calls and is not before a 429 penalty; a slot in the future is reserved,
 * so the message waits in the queue, not in a function. A reserved slot also
 * holds the device and a session, so reservations never outrun the session
 * limit and two runs never race for one device.
 */
export function requestSlot(state: PacingState, nowMs: number, limits: PacingLimits, request: { deviceId: string; runId: string }): SlotDecision {
  const spanMs = limits.liveResponseWindowMs + limits.safetyMarginMs;
  let current = prune(state, nowMs, nowMs - spanMs);
  const hold = current.holds[request.deviceId];
  if (hold && hold.runId !== request.runId) return { kind: 'wait', waitMs: limits.deviceBusyRetryMs, reason: 'device-busy' };
  if (hold?.kind === 'open') return { kind: 'already-open' };
  if (hold?.kind === 'reserved') {
    const penalised = current.penaltyUntilMs > hold.slotMs;
    if (hold.slotMs > nowMs && !penalised) return { kind: 'reserved', slotMs: hold.slotMs, state: current };
    if (!penalised && current.penaltyUntilMs <= nowMs && nowMs - hold.slotMs <= limits.safetyMarginMs) {
      // Our slot has come and we are within the margin the ledger keeps: call now, in our own slot.
      return { kind: 'admit', state: openHold({ ...current, slotsMs: insertSorted(withoutOne(current.slotsMs, hold.slotMs), nowMs) }, request, nowMs, limits) };
    }
    // Too late for our slot, or a 429 moved the ledger past it: give it back and take the earliest valid one.
    current = { ...current, slotsMs: withoutOne(current.slotsMs, hold.slotMs) };
  } else {
    const busy = current.busy[request.deviceId];
    if (busy && busy.untilMs > nowMs) return { kind: 'wait', waitMs: busy.untilMs - nowMs, reason: 'device-backoff' };
    if (sessionsHeld(current) >= limits.maxSessions) return { kind: 'wait', waitMs: limits.sessionsFullRetryMs, reason: 'sessions-full' };
  }
  const slotMs = earliestSlot(current, nowMs, limits, spanMs);
  const slotsMs = insertSorted(current.slotsMs, slotMs);
  if (slotMs <= nowMs) return { kind: 'admit', state: openHold({ ...current, slotsMs }, request, nowMs, limits) };
  return {
    kind: 'reserved',
    slotMs,
    state: {
      ...current,
      slotsMs,
      holds: { ...current.holds, [request.deviceId]: { kind: 'reserved', runId: request.runId, slotMs, expiresMs: slotMs + limits.reservationGraceMs } },
    },
  };
}

/**
 * The earliest instant ≥ now and ≥ the penalty at which one more slot keeps
 * every span ending at a slot at or under `liveResponseCalls` slots.
 */
export function earliestSlot(state: Pick<PacingState, 'slotsMs' | 'penaltyUntilMs'>, nowMs: number, limits: Pick<PacingLimits, 'liveResponseCalls'>, spanMs: number): number {
  const limit = limits.liveResponseCalls;
  const slots = state.slotsMs;
  let x = Math.max(nowMs, state.penaltyUntilMs);
  for (let guard = 0; guard <= slots.length + 1; guard++) {
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
  return x;
}

function openHold(state: PacingState, request: { deviceId: string; runId: string }, nowMs: number, limits: PacingLimits): PacingState {
  return {
    ...state,
    holds: { ...state.holds, [request.deviceId]: { kind: 'open', runId: request.runId, submittedMs: nowMs, nextPollMs: Number.MAX_SAFE_INTEGER, expiresMs: nowMs + limits.sessionHoldMs } },
  };
}

function insertSorted(values: number[], value: number): number[] {
  const at = values.findIndex((v) => v > value);
  return at === -1 ? [...values, value] : [...values.slice(0, at), value, ...values.slice(at)];
}

function withoutOne(values: number[], value: number): number[] {
  const at = values.indexOf(value);
  return at === -1 ? values : [...values.slice(0, at), ...values.slice(at + 1)];
}
