import { z } from 'zod';
import { HOUR_MS, MINUTE_MS } from '../clock.js';
import { cronSetting, scheduleOf } from './cron.js';
import { int, type SettingsOf } from './values.js';

/** What starts runs: playbooks and their schedules, the optional alert poller, streamed alerts and the cached device directory. */
export const intakeSettings = {
  // Playbooks
  PLAYBOOKS_DIR: z.string().default('playbooks'),
  /** NCRONTAB (six fields) of the timer that starts due playbook schedules. */
  SCHEDULE_SWEEP_CRON: cronSetting('0 */5 * * * *').default('0 */5 * * * *'),

  // Optional alert poller (off unless ALERT_POLL_CRON is set)
  /** NCRONTAB (six fields) of the alert poller timer; unset: the poller is off. */
  ALERT_POLL_CRON: cronSetting('0 */5 * * * *').optional(),
  /** With no stored watermark yet, the first poll looks back this far. */
  ALERT_POLL_LOOKBACK_MS: int(1).default(HOUR_MS),
  /** Each poll re-reads this much before the watermark (late-indexed alerts); repeats are recognised and skipped. */
  ALERT_POLL_OVERLAP_MS: int(0).default(MINUTE_MS),
  ALERT_POLL_PAGE_SIZE: int(1).max(10_000).default(1_000),
  ALERT_POLL_MAX_PAGES: int(1).default(10),

  // Streamed alerts (the streaming API's records, assembled by AlertId across messages)
  /** An alert whose AlertInfo or device has not arrived is answered with what did once no row came for this long. */
  STREAMING_ALERT_QUIET_MS: int(1).default(2 * MINUTE_MS),
  /** Evidence rows kept per streamed alert; more are counted, reported with the alert, and not kept. */
  STREAMING_ALERT_MAX_ROWS: int(1).max(5_000).default(500),

  // The cached device directory (intake reads it instead of calling Defender per device)
  /** NCRONTAB (six fields) of the timer that lists every machine into the directory; `off`: no refresh. */
  DEVICE_DIRECTORY_CRON: cronSetting('0 */15 * * * *', { off: true }).default('0 */15 * * * *'),
  /** A directory last refreshed longer ago than this is stale: still used, with a warning in each intake's log. */
  DEVICE_DIRECTORY_MAX_AGE_MS: int(1).default(HOUR_MS),
  /** Look-ups (GET /machines/{id}) intake may make, tenant-wide, between two refreshes for devices missing from the directory. */
  DEVICE_DIRECTORY_MISS_LOOKUPS: int(0).default(20),
  /** An alert whose device is missing, with no look-up left, is sent again this much later. */
  DEVICE_DIRECTORY_MISS_RETRY_MS: int(1).default(5 * MINUTE_MS),
  /** How long an alert waits for a missing device before it is answered with what it says itself. */
  DEVICE_DIRECTORY_MISS_MAX_WAIT_MS: int(0).default(HOUR_MS),
};

export interface AlertPollerConfig {
  schedule?: string;
  lookbackMs: number;
  overlapMs: number;
  pageSize: number;
  maxPages: number;
}

/** Streamed alerts: the quiet period after which one is answered with what arrived, and the rows kept per alert. */
export interface StreamingAlertsConfig {
  quietMs: number;
  maxRows: number;
}

/** The cached device directory: its refresh timer (undefined: off) and what intake does with a missing device. */
export interface DeviceDirectoryConfig {
  schedule?: string;
  maxAgeMs: number;
  missLookups: number;
  missRetryMs: number;
  missMaxWaitMs: number;
}

type IntakeSettings = SettingsOf<typeof intakeSettings>;

export function alertPollerConfig(s: IntakeSettings): AlertPollerConfig {
  return {
    schedule: s.ALERT_POLL_CRON,
    lookbackMs: s.ALERT_POLL_LOOKBACK_MS,
    overlapMs: s.ALERT_POLL_OVERLAP_MS,
    pageSize: s.ALERT_POLL_PAGE_SIZE,
    maxPages: s.ALERT_POLL_MAX_PAGES,
  };
}

export function streamingAlertsConfig(s: IntakeSettings): StreamingAlertsConfig {
  return { quietMs: s.STREAMING_ALERT_QUIET_MS, maxRows: s.STREAMING_ALERT_MAX_ROWS };
}

export function deviceDirectoryConfig(s: IntakeSettings): DeviceDirectoryConfig {
  return {
    schedule: scheduleOf(s.DEVICE_DIRECTORY_CRON),
    maxAgeMs: s.DEVICE_DIRECTORY_MAX_AGE_MS,
    missLookups: s.DEVICE_DIRECTORY_MISS_LOOKUPS,
    missRetryMs: s.DEVICE_DIRECTORY_MISS_RETRY_MS,
    missMaxWaitMs: s.DEVICE_DIRECTORY_MISS_MAX_WAIT_MS,
  };
}
