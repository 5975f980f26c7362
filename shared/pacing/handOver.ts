import { waitersOf } from './deviceQueue.js';
import { withCeiling } from './learnedCeiling.js';
import type { PacingLimits } from './limits.js';
import { earliestSlot, MAX_RESERVATIONS, reservedHold } from './sendSlots.js';
import { insertSorted } from './slotTimes.js';
import { prune, reservedSlots, type PacingState } from './state.js';

/** The device went to the first run in its line, for a send slot at `slotMs`: its message is due then (the send lead early). */
export interface HandOver {
  deviceId: string;
  runId: string;
  slotMs: number;
}

/**
 * A released device goes to the first run waiting for it, in the same write
 * as the release: that run gets a reserved hold for the earliest send slot,
 * and the caller sends its message for that slot. The waiter's own fallback
 * message stays scheduled and the hold lasts until it has come (and
 * `reservationGraceMs` more), so a crash between this write and the send
 * loses nothing: the fallback comes and finds its slot. Nothing is handed
 * over while the device is still held, backs off from a session that is not
 * ours, or while the ledger is full (the first waiter then asks for itself
 * when its fallback comes: nobody overtakes it, see sendSlots.requestSlot).
 */
export function handOver(
  state: PacingState,
  deviceId: string,
  nowMs: number,
  configured: PacingLimits,
): { state: PacingState; handed?: HandOver } {
  const hold = state.holds[deviceId];
  const busy = state.busy[deviceId];
  if ((hold && hold.expiresMs > nowMs) || (busy && busy.untilMs > nowMs)) return { state };
  const first = waitersOf(state, deviceId, nowMs)[0];
  if (!first) return { state };
  const limits = withCeiling(state, nowMs, configured);
  const spanMs = limits.liveResponseWindowMs + limits.safetyMarginMs;
  const current = prune(state, nowMs, nowMs - spanMs);
  if (reservedSlots(current).length >= MAX_RESERVATIONS) return { state };
  const slotMs = earliestSlot(current, nowMs, limits, spanMs);
  const rest = waitersOf(current, deviceId, nowMs).slice(1);
  const queues = { ...current.queues };
  if (rest.length > 0) queues[deviceId] = rest;
  else delete queues[deviceId];
  const { queues: _old, ...others } = current;
  return {
    state: {
      ...others,
      ...(Object.keys(queues).length > 0 ? { queues } : {}),
      slotsMs: insertSorted(current.slotsMs, slotMs),
      holds: { ...current.holds, [deviceId]: reservedHold(first.runId, slotMs, limits, first.untilMs) },
    },
    handed: { deviceId, runId: first.runId, slotMs },
  };
}
