import type { Config } from '../config.js';

/**
 * The numbers pacing holds, each with its window. Built from config; the
 * defaults are the Defender API's documented limits (mde-api.md 1.2, 2.3).
 */
export interface PacingLimits {
  /** runliveresponse calls allowed per window (10). */
  liveResponseCalls: number;
  liveResponseWindowMs: number;
  /** Extra spacing added to each window, so clock skew and latency between us and the API never make an 11th call land inside a minute. */
  safetyMarginMs: number;
  /** How long before its slot a reserved message comes: it is admitted then and calls at the slot's instant. */
  sendLeadMs: number;
  /** Live response sessions (Pending or InProgress, plus reserved sends) at once (25). */
  maxSessions: number;
  /** How long an open action's hold lasts if nobody releases it (offline deadline plus margin). */
  sessionHoldMs: number;
  /** How long a reserved send slot stays reserved after its time if its message never comes. */
  reservationGraceMs: number;
  /** First wait, and the cap, for a device found busy with a session that is not ours. */
  deviceBusyRetryMs: number;
  deviceBusyMaxRetryMs: number;
  /** Wait before asking again when every session is taken. */
  sessionsFullRetryMs: number;
  /** Status and link calls (GET machineactions, download links, cancel) per minute and per hour. */
  statusCallsPerMinute: number;
  statusCallsPerHour: number;
}

export function pacingLimitsOf(config: Readonly<Config>): PacingLimits {
  return {
    liveResponseCalls: config.limits.liveResponseCalls,
    liveResponseWindowMs: config.limits.liveResponseWindowMs,
    safetyMarginMs: config.limits.safetyMarginMs,
    sendLeadMs: config.limits.sendLeadMs,
    maxSessions: config.limits.maxSessions,
    sessionHoldMs: config.limits.offlineDeadlineMs + 60 * 60_000,
    reservationGraceMs: config.limits.reservationGraceMs,
    deviceBusyRetryMs: config.polling.deviceBusyRetryMs,
    deviceBusyMaxRetryMs: config.polling.deviceBusyMaxRetryMs,
    sessionsFullRetryMs: config.polling.sessionsFullRetryMs,
    statusCallsPerMinute: config.limits.statusCallsPerMinute,
    statusCallsPerHour: config.limits.statusCallsPerHour,
  };
}
