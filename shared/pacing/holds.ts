import { putFirst, waitersOf } from './deviceQueue.js';
import { withoutOne } from './slotTimes.js';
import type { Hold, PacingState } from './state.js';

/**
 * The POST succeeded (or an earlier one was found): the device's open hold
 * names its action and when to look at it first. Created if missing, so an
 * adopted action is always followed. A hold of another run that has no
 * action yet (a reserved slot, or an admission whose POST has not been
 * answered) gives way: our action is real and occupies the device, their
 * call could only be refused as device busy; a reserved slot goes back to
 * the ledger, and its run waits first in the device's line, to be handed
 * the device when our action ends. Another run's open action is left alone
 * (the reconciliation sweep re-reads an action the pacer does not follow).
 */
export function recordSubmitted(
  state: PacingState,
  deviceId: string,
  runId: string,
  actionId: string,
  firstPollMs: number,
  nowMs: number,
  holdMs: number,
): PacingState {
  const current = state.holds[deviceId];
  if (current && current.runId !== runId && current.kind === 'open' && current.actionId !== undefined) return state;
  const theirs = current !== undefined && current.runId !== runId;
  const hold = theirs ? undefined : current;
  const gaveWay = theirs && current.kind === 'reserved' ? current : undefined;
  const waiting = gaveWay ? putFirst(state, deviceId, gaveWay.runId, gaveWay.expiresMs) : state;
  const slotsMs = gaveWay ? withoutOne(state.slotsMs, gaveWay.slotMs) : state.slotsMs;
  const open =
    hold?.kind === 'open' ? hold : { kind: 'open' as const, runId, submittedMs: nowMs, expiresMs: nowMs + holdMs, nextPollMs: firstPollMs };
  return { ...waiting, slotsMs, holds: { ...state.holds, [deviceId]: { ...open, actionId, nextPollMs: firstPollMs } } };
}

/**
 * The action ended (or was never created): the device and its session are
 * free. A reserved send slot whose message will never call (a cancelled
 * submission) goes back to the ledger.
 */
export function releaseHold(state: PacingState, deviceId: string, runId: string): PacingState {
  const hold = state.holds[deviceId];
  if (hold?.runId !== runId) return state;
  const holds = { ...state.holds };
  delete holds[deviceId];
  return { ...state, holds, ...(hold.kind === 'reserved' ? { slotsMs: withoutOne(state.slotsMs, hold.slotMs) } : {}) };
}

/**
 * The run's hold on the device names its action: another delivery of the
 * run's message has recorded it. A refused call of a late delivery (a 429,
 * ActiveRequestAlreadyExists) gives up only an admission, never that
 * session, or the action would be neither counted nor polled.
 */
export function actionRecorded(state: PacingState, deviceId: string, runId: string): boolean {
  const hold = state.holds[deviceId];
  return hold?.kind === 'open' && hold.runId === runId && hold.actionId !== undefined;
}

/** A 429: nobody calls before `untilMs`. */
export function applyPenalty(state: PacingState, untilMs: number): PacingState {
  return { ...state, penaltyUntilMs: Math.max(state.penaltyUntilMs, untilMs) };
}

/**
 * The device has a session that is not ours (ActiveRequestAlreadyExists):
 * release our hold and back off that device exponentially, so retries do not
 * spend send slots blindly.
 */
export function markDeviceBusy(
  state: PacingState,
  deviceId: string,
  runId: string,
  nowMs: number,
  baseMs: number,
  maxMs: number,
): { state: PacingState; waitMs: number } {
  const count = (state.busy[deviceId]?.count ?? 0) + 1;
  const waitMs = Math.min(maxMs, baseMs * 2 ** (count - 1));
  const released = releaseHold(state, deviceId, runId);
  return { state: { ...released, busy: { ...released.busy, [deviceId]: { count, untilMs: nowMs + waitMs } } }, waitMs };
}

/** The device took an action of ours: forget its back-off. */
export function clearDeviceBusy(state: PacingState, deviceId: string): PacingState {
  if (!state.busy[deviceId]) return state;
  const busy = { ...state.busy };
  delete busy[deviceId];
  return { ...state, busy };
}

/** Updates the poll plan of an open action (status seen, next look; without a status, the last one seen stays). */
export function planPoll(state: PacingState, deviceId: string, actionId: string, nextPollMs: number, status?: string): PacingState {
  const hold = state.holds[deviceId];
  if (!hold || hold.kind !== 'open' || hold.actionId !== actionId) return state;
  return { ...state, holds: { ...state.holds, [deviceId]: { ...hold, nextPollMs, ...(status === undefined ? {} : { status }) } } };
}

/**
 * A tick claimed these open actions and looks at them now: each one's next
 * look moves to `untilMs`, so no other tick handled meanwhile (a redelivery
 * of the same tick after its lock was lost, or the next tick) reads it or
 * applies its end a second time. What the look sees plans the real next one
 * (planPoll); a tick that dies leaves its actions due again at `untilMs`.
 */
export function takeLooks(state: PacingState, due: readonly OpenHold[], untilMs: number): PacingState {
  return due.reduce((next, hold) => (hold.actionId === undefined ? next : planPoll(next, hold.deviceId, hold.actionId, untilMs)), state);
}

/** An open action due for a look; `waited`: other runs wait for its device (deviceQueue.ts), so it is looked at sooner. */
export type OpenHold = Extract<Hold, { kind: 'open' }> & { deviceId: string; waited?: boolean };

/** Open actions whose next look is due at or before `atMs`. */
export function dueForPoll(state: PacingState, atMs: number): OpenHold[] {
  return Object.entries(state.holds)
    .filter(
      (entry): entry is [string, Extract<Hold, { kind: 'open' }>] =>
        entry[1].kind === 'open' && entry[1].actionId !== undefined && entry[1].nextPollMs <= atMs,
    )
    .map(([deviceId, hold]) => ({ ...hold, deviceId, ...(waitersOf(state, deviceId, atMs).length > 0 ? { waited: true } : {}) }));
}

/** The earliest next look among open actions, or undefined when none is open. */
export function nextPollDue(state: PacingState): number | undefined {
  const times = Object.values(state.holds).flatMap((h) => (h.kind === 'open' && h.actionId !== undefined ? [h.nextPollMs] : []));
  return times.length > 0 ? Math.min(...times) : undefined;
}
