import type { PacingLimits } from './limits.js';
import type { PacingState, Waiter } from './state.js';

/*
 * Per-device waiting lines: while one run holds a device (its action open, or
 * a send slot reserved), the other runs that want it wait in the order they
 * asked, and the device is handed to the first of them when it is released
 * (handOver.ts). Each waiter's message is also rescheduled for a fallback
 * time, so a hand-over whose wake-up message is lost (a crash between the
 * write and the send) costs at most that delay; a waiter whose message never
 * comes back lapses and leaves the line.
 */

/** Waiters kept for one device; past it a run retries as before (DEVICE_BUSY_RETRY_MS). 50 alerts on one device fit. */
export const MAX_WAITERS_PER_DEVICE = 100;
/** Waiters kept tenant-wide: about 60 KB of the pacing record (run ids are 22 characters), well inside a table entity. */
export const MAX_WAITERS = 1_000;

/** The device's waiters that have not lapsed, first come first. */
export function waitersOf(state: Pick<PacingState, 'queues'>, deviceId: string, nowMs: number): Waiter[] {
  return (state.queues?.[deviceId] ?? []).filter((w) => w.untilMs > nowMs);
}

/**
 * When a waiter's own message comes back if no hand-over wakes it first: the
 * device busy retry for the first in line, one more of it for each run ahead
 * (each of those needs at least one action first), capped at the busy
 * back-off's maximum. A fallback, not a poll: it bounds the cost of a lost
 * wake-up, and costs one message and one pacing write when it comes.
 */
export function fallbackWaitMs(position: number, limits: Pick<PacingLimits, 'deviceBusyRetryMs' | 'deviceBusyMaxRetryMs'>): number {
  return Math.min(limits.deviceBusyMaxRetryMs, limits.deviceBusyRetryMs * (position + 1));
}

/**
 * The run waits for the device: it keeps its place if it is in line (its
 * fallback renewed), else joins at the end. Undefined when the line is full
 * (per device or tenant-wide): the caller falls back to a plain retry.
 */
export function joinQueue(
  state: PacingState,
  deviceId: string,
  runId: string,
  nowMs: number,
  limits: Pick<PacingLimits, 'deviceBusyRetryMs' | 'deviceBusyMaxRetryMs' | 'reservationGraceMs'>,
): { state: PacingState; position: number; waitMs: number } | undefined {
  const waiters = waitersOf(state, deviceId, nowMs);
  let position = waiters.findIndex((w) => w.runId === runId);
  if (position === -1) {
    if (waiters.length >= MAX_WAITERS_PER_DEVICE || waitingTotal(state, nowMs) >= MAX_WAITERS) return undefined;
    position = waiters.length;
  }
  const waitMs = fallbackWaitMs(position, limits);
  const line = [...waiters];
  line[position] = { runId, untilMs: nowMs + waitMs + limits.reservationGraceMs };
  return { state: withLine(state, deviceId, line), position, waitMs };
}

/** The run no longer waits for the device (it got it, or was cancelled). */
export function leaveQueue(state: PacingState, deviceId: string, runId: string): PacingState {
  const waiters = state.queues?.[deviceId];
  if (!waiters?.some((w) => w.runId === runId)) return state;
  return withLine(
    state,
    deviceId,
    waiters.filter((w) => w.runId !== runId),
  );
}

/**
 * The run gave the device up only for a moment (a 429, an admission it is
 * about to ask for again): when others wait, it goes first in line, waiting
 * until its message comes back at `comesBackMs`, so nobody overtakes it.
 * With nobody waiting there is no line to keep a place in.
 */
export function keepPlace(
  state: PacingState,
  deviceId: string,
  runId: string,
  comesBackMs: number,
  nowMs: number,
  limits: Pick<PacingLimits, 'reservationGraceMs'>,
): PacingState {
  const others = waitersOf(state, deviceId, nowMs).filter((w) => w.runId !== runId);
  if (others.length === 0) return leaveQueue(state, deviceId, runId);
  return withLine(state, deviceId, [{ runId, untilMs: Math.max(nowMs, comesBackMs) + limits.reservationGraceMs }, ...others]);
}

/**
 * The run's reserved slot on the device gave way to an action found running
 * there (holds.recordSubmitted): it waits first in line until `untilMs` (when
 * its reservation would have lapsed), so the device comes back to it when
 * that action ends, not to whoever joined later.
 */
export function putFirst(state: PacingState, deviceId: string, runId: string, untilMs: number): PacingState {
  const others = (state.queues?.[deviceId] ?? []).filter((w) => w.runId !== runId);
  return withLine(state, deviceId, [{ runId, untilMs }, ...others]);
}

/** Waiters tenant-wide that have not lapsed. */
export function waitingTotal(state: Pick<PacingState, 'queues'>, nowMs: number): number {
  return Object.values(state.queues ?? {}).reduce((n, line) => n + line.filter((w) => w.untilMs > nowMs).length, 0);
}

function withLine(state: PacingState, deviceId: string, line: Waiter[]): PacingState {
  const queues = { ...state.queues };
  if (line.length > 0) queues[deviceId] = line;
  else delete queues[deviceId];
  const { queues: _old, ...rest } = state;
  return Object.keys(queues).length > 0 ? { ...rest, queues } : rest;
}
