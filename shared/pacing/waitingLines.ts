import { MAX_WAITERS, MAX_WAITERS_PER_DEVICE, waitersOf } from './deviceQueue.js';
import type { PacingLimits } from './limits.js';
import type { PacingState } from './state.js';

/** How many of the longest waiting lines the status names: enough to see the bottleneck, small enough to read at a glance. */
export const LONGEST_LINES_SHOWN = 10;

/** One device's waiting line, as the status shows it. */
export interface WaitingLine {
  deviceId: string;
  /** Runs waiting for the device, lapsed waiters excluded. */
  waiters: number;
  /** When the first waiter's own (fallback) message comes back, if no hand-over wakes it first; in the past while it is being handled. */
  firstWaiterFallbackMs: number;
}

/** The devices' waiting lines at a glance (deviceQueue.ts): how many runs wait, on how many devices, and the longest lines. */
export interface WaitingLines {
  /** Runs waiting in a device's line, tenant-wide, lapsed waiters excluded (what the tenant-wide bound counts). */
  waiters: number;
  /** The tenant-wide bound (MAX_WAITERS): at it, a run that finds its device held retries instead of joining a line. */
  waitersLimit: number;
  /** Devices with at least one waiter. */
  devices: number;
  /** The bound of one device's line (MAX_WAITERS_PER_DEVICE). */
  perDeviceLimit: number;
  /** The longest lines, most waiters first (ties by device id), at most LONGEST_LINES_SHOWN. */
  longest: WaitingLine[];
}

/**
 * The waiting lines of `state` at `nowMs`. Pure: reads the record as stored.
 * A waiter's fallback is when its message was rescheduled for, which is
 * `reservationGraceMs` before it would lapse (deviceQueue.joinQueue, keepPlace).
 */
export function waitingLines(
  state: Pick<PacingState, 'queues'>,
  nowMs: number,
  limits: Pick<PacingLimits, 'reservationGraceMs'>,
): WaitingLines {
  const lines: WaitingLine[] = [];
  for (const deviceId of Object.keys(state.queues ?? {})) {
    const waiters = waitersOf(state, deviceId, nowMs);
    const first = waiters[0];
    if (first) lines.push({ deviceId, waiters: waiters.length, firstWaiterFallbackMs: first.untilMs - limits.reservationGraceMs });
  }
  lines.sort((a, b) => b.waiters - a.waiters || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  return {
    waiters: lines.reduce((n, line) => n + line.waiters, 0),
    waitersLimit: MAX_WAITERS,
    devices: lines.length,
    perDeviceLimit: MAX_WAITERS_PER_DEVICE,
    longest: lines.slice(0, LONGEST_LINES_SHOWN),
  };
}
