import { callsPerMinute } from './callMinutes.js';
import { withCeiling } from './learnedCeiling.js';
import type { PacingLimits } from './limits.js';
import { earliestSlot } from './sendSlots.js';
import { callsOf } from './slotTimes.js';
import { prune, reservedSlots, sessionsOpen, type PacingState } from './state.js';
import { waitingLines, type WaitingLines } from './waitingLines.js';

/** The pacing state at a glance (GET /api/status): what the ledger holds at `nowMs`, nothing changed. */
export interface PacingStatus {
  liveResponse: {
    /** runliveresponse calls made in the last window (`windowMs`). */
    callsInWindow: number;
    windowMs: number;
    /** The configured calls per window (LIMIT_LIVE_RESPONSE_CALLS). */
    limit: number;
    /** The calls per window in force now: lower while a ceiling learned from a 429 holds or rises. */
    limitInForce: number;
    /** When a learned ceiling stops holding and starts to rise back, while it holds. */
    ceilingHoldsUntilMs?: number;
    /** Send slots booked ahead for devices whose message is on its way. */
    reservedSlots: number;
    /** The earliest instant a new submission could call (now when there is room). */
    nextFreeSlotMs: number;
    /** Calls admitted in each minute of the last hour, oldest first (callMinutes.ts). */
    perMinute: { minuteStartMs: number; calls: number }[];
  };
  sessions: { inUse: number; limit: number };
  devices: {
    /** Devices held with a reserved send slot, waiting for it (runs waiting for a held device are in `waitingLines`). */
    waiting: number;
    /** Devices found busy with another session, backing off. */
    backingOff: number;
  };
  /** Runs waiting in the devices' lines for a device another of our runs holds (waitingLines.ts). */
  waitingLines: WaitingLines;
  /** A 429's Retry-After in force: no call before `untilMs`. Absent: none. */
  penalty?: { untilMs: number };
  /** Status and link calls (GET machineactions, download links, cancels): used and left of each budget. */
  statusBudget: {
    lastMinute: { used: number; limit: number; left: number };
    lastHour: { used: number; limit: number; left: number };
  };
}

/** The pacing status of `state` at `nowMs`. Pure: reads the record as stored, writes nothing. */
export function pacingStatus(state: PacingState, nowMs: number, limits: PacingLimits): PacingStatus {
  const inForce = withCeiling(state, nowMs, limits);
  const spanMs = inForce.liveResponseWindowMs + inForce.safetyMarginMs;
  const current = prune(state, nowMs, nowMs - spanMs);
  const calls = callsOf(current).filter((t) => t > nowMs - limits.liveResponseWindowMs && t <= nowMs);
  const holds = Object.values(current.holds);
  const minute = Math.floor(nowMs / 60_000);
  const hourUsed = current.statusMinutes.filter(([m]) => m > minute - 60).reduce((sum, [, n]) => sum + n, 0);
  const minuteUsed = current.statusCallsMs.filter((t) => t > nowMs - 60_000).length;
  const ceiling = current.ceiling;
  return {
    liveResponse: {
      callsInWindow: calls.length,
      windowMs: limits.liveResponseWindowMs,
      limit: limits.liveResponseCalls,
      limitInForce: inForce.liveResponseCalls,
      ...(ceiling && ceiling.untilMs > nowMs ? { ceilingHoldsUntilMs: ceiling.untilMs } : {}),
      reservedSlots: reservedSlots(current).length,
      nextFreeSlotMs: earliestSlot(current, nowMs, inForce, spanMs),
      perMinute: callsPerMinute(state, nowMs),
    },
    sessions: { inUse: sessionsOpen(current), limit: limits.maxSessions },
    devices: {
      waiting: holds.filter((h) => h.kind === 'reserved').length,
      backingOff: Object.values(current.busy).filter((b) => b.untilMs > nowMs).length,
    },
    waitingLines: waitingLines(state, nowMs, limits),
    ...(current.penaltyUntilMs > nowMs ? { penalty: { untilMs: current.penaltyUntilMs } } : {}),
    statusBudget: {
      lastMinute: budget(minuteUsed, limits.statusCallsPerMinute),
      lastHour: budget(hourUsed, limits.statusCallsPerHour),
    },
  };
}

function budget(used: number, limit: number): { used: number; limit: number; left: number } {
  return { used, limit, left: Math.max(0, limit - used) };
}
