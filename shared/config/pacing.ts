import { DAY_MS, MINUTE_MS } from '../clock.js';
import type { SettingProblem } from '../errors.js';
import { int, type SettingsOf } from './values.js';

/** The limits the pacing holds (numbers with their windows; the API's documented values by default), and the polling cadence. */
export const pacingSettings = {
  LIMIT_LIVE_RESPONSE_CALLS: int(1).default(10),
  LIMIT_LIVE_RESPONSE_WINDOW_MS: int(1).default(MINUTE_MS),
  LIMIT_MAX_SESSIONS: int(1).default(25),
  LIMIT_OFFLINE_DEADLINE_MS: int(1).default(3 * DAY_MS),
  LIMIT_RUNSCRIPT_TIMEOUT_MS: int(1).default(10 * MINUTE_MS),
  LIMIT_RESULT_LINK_TTL_MS: int(1).default(30 * MINUTE_MS),
  LIMIT_STATUS_CALLS_PER_MINUTE: int(1).default(100),
  LIMIT_STATUS_CALLS_PER_HOUR: int(1).default(1_500),
  /** Added to every rate window so latency and clock skew never squeeze an extra call into one. */
  PACING_SAFETY_MARGIN_MS: int(0).default(1_000),
  /** A reserved submission arrives this long before its slot, is admitted, and calls on the slot (its invocation waits at most this long). */
  PACING_SEND_LEAD_MS: int(0).max(10_000).default(2_000),
  /** A reserved send slot whose message never came is freed this long after its time. */
  PACING_RESERVATION_GRACE_MS: int(1).default(10 * MINUTE_MS),

  // Polling and retry cadence
  POLL_FIRST_DELAY_MS: int(1).default(15_000),
  POLL_IN_PROGRESS_MS: int(1).default(15_000),
  POLL_PENDING_MS: int(1).default(5 * MINUTE_MS),
  /** An open action on a device other runs wait for is looked at this often, so the device is handed on soon after it ends. */
  POLL_DEVICE_QUEUE_MS: int(1_000).default(5_000),
  DEVICE_BUSY_RETRY_MS: int(1).default(2 * MINUTE_MS),
  DEVICE_BUSY_MAX_RETRY_MS: int(1).default(30 * MINUTE_MS),
  SESSIONS_FULL_RETRY_MS: int(1).default(15_000),
};

export interface LimitsConfig {
  liveResponseCalls: number;
  liveResponseWindowMs: number;
  maxSessions: number;
  offlineDeadlineMs: number;
  runScriptTimeoutMs: number;
  resultLinkTtlMs: number;
  statusCallsPerMinute: number;
  statusCallsPerHour: number;
  safetyMarginMs: number;
  sendLeadMs: number;
  reservationGraceMs: number;
}

export interface PollingConfig {
  firstDelayMs: number;
  inProgressMs: number;
  pendingMs: number;
  /** The look at an action, in progress or just sent, on a device other runs wait for (at most inProgressMs). */
  deviceQueueMs: number;
  deviceBusyRetryMs: number;
  deviceBusyMaxRetryMs: number;
  sessionsFullRetryMs: number;
}

type PacingSettings = SettingsOf<typeof pacingSettings>;

export function limitsConfig(s: PacingSettings): LimitsConfig {
  return {
    liveResponseCalls: s.LIMIT_LIVE_RESPONSE_CALLS,
    liveResponseWindowMs: s.LIMIT_LIVE_RESPONSE_WINDOW_MS,
    maxSessions: s.LIMIT_MAX_SESSIONS,
    offlineDeadlineMs: s.LIMIT_OFFLINE_DEADLINE_MS,
    runScriptTimeoutMs: s.LIMIT_RUNSCRIPT_TIMEOUT_MS,
    resultLinkTtlMs: s.LIMIT_RESULT_LINK_TTL_MS,
    statusCallsPerMinute: s.LIMIT_STATUS_CALLS_PER_MINUTE,
    statusCallsPerHour: s.LIMIT_STATUS_CALLS_PER_HOUR,
    safetyMarginMs: s.PACING_SAFETY_MARGIN_MS,
    sendLeadMs: s.PACING_SEND_LEAD_MS,
    reservationGraceMs: s.PACING_RESERVATION_GRACE_MS,
  };
}

export function pollingConfig(s: PacingSettings): PollingConfig {
  return {
    firstDelayMs: s.POLL_FIRST_DELAY_MS,
    inProgressMs: s.POLL_IN_PROGRESS_MS,
    pendingMs: s.POLL_PENDING_MS,
    deviceQueueMs: s.POLL_DEVICE_QUEUE_MS,
    deviceBusyRetryMs: s.DEVICE_BUSY_RETRY_MS,
    deviceBusyMaxRetryMs: s.DEVICE_BUSY_MAX_RETRY_MS,
    sessionsFullRetryMs: s.SESSIONS_FULL_RETRY_MS,
  };
}

export function pacingRules(s: PacingSettings): SettingProblem[] {
  if (s.SESSIONS_FULL_RETRY_MS > s.PACING_SEND_LEAD_MS) return [];
  // A retry inside the send lead would admit a call while every session is taken.
  return [
    {
      setting: 'SESSIONS_FULL_RETRY_MS',
      message: `must be longer than PACING_SEND_LEAD_MS (${s.PACING_SEND_LEAD_MS}) (got ${s.SESSIONS_FULL_RETRY_MS})`,
    },
  ];
}
