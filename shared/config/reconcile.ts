import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';
import { cronSetting, scheduleOf } from './cron.js';
import { int, type SettingsOf } from './values.js';

/** The reconciliation sweep (re-drives work whose message was lost) and the poll-tick watchdog. */
export const reconcileSettings = {
  /** NCRONTAB (six fields) of the reconciliation timer; `off`: neither the sweep nor the watchdog runs. */
  RECONCILE_CRON: cronSetting('0 */5 * * * *', { off: true }).default('0 */5 * * * *'),
  /** A device action without progress this long is re-driven (longer than a collection's backoff chain, about 1 h). */
  RECONCILE_STALE_MS: int(MINUTE_MS).default(2 * HOUR_MS),
  /** Runs created this long ago or less are swept (an offline device's action waits up to 3 days). */
  RECONCILE_HORIZON_MS: int(HOUR_MS).default(4 * DAY_MS),
  /** Runs read per firing; the next firing resumes where this one stopped. */
  RECONCILE_RUNS_PER_FIRING: int(1).max(1_000).default(200),
  /** Re-drives of one device action before the sweep gives up on it (its results recorded as failed, or left for an operator). */
  RECONCILE_MAX_REDRIVES: int(1).default(3),
};

/** The sweep's timer (undefined: off) and bounds. */
export interface ReconcileConfig {
  schedule?: string;
  staleMs: number;
  horizonMs: number;
  runsPerFiring: number;
  maxRedrives: number;
}

export function reconcileConfig(s: SettingsOf<typeof reconcileSettings>): ReconcileConfig {
  return {
    schedule: scheduleOf(s.RECONCILE_CRON),
    staleMs: s.RECONCILE_STALE_MS,
    horizonMs: s.RECONCILE_HORIZON_MS,
    runsPerFiring: s.RECONCILE_RUNS_PER_FIRING,
    maxRedrives: s.RECONCILE_MAX_REDRIVES,
  };
}
