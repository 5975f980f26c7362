import type { PacingLimits } from '../../../shared/pacing/limits.js';

/** Limits of the pacing unit tests: Defender's documented ones, a 1 s safety margin, a 2 s send lead. */
export const limits: PacingLimits = {
  liveResponseCalls: 10,
  liveResponseWindowMs: 60_000,
  safetyMarginMs: 1_000,
  sendLeadMs: 2_000,
  maxSessions: 25,
  sessionHoldMs: 3 * 86_400_000,
  reservationGraceMs: 600_000,
  deviceBusyRetryMs: 120_000,
  deviceBusyMaxRetryMs: 1_800_000,
  sessionsFullRetryMs: 60_000,
  statusCallsPerMinute: 100,
  statusCallsPerHour: 1_500,
};
/** liveResponseWindowMs + safetyMarginMs */
export const SPAN = 61_000;
