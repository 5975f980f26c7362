import { z } from 'zod';
import { MINUTE_MS } from '../clock.js';
import type { SettingProblem } from '../errors.js';
import type { busSettings } from './bus.js';
import { bool, int, isLoopback, tableName, type SettingsOf } from './values.js';

/** Notifications (the notify queue): every sink is optional; none configured, nothing is queued. */
export const notifySettings = {
  /** Generic webhook: JSON POSTed here, HMAC-SHA256 signed with NOTIFY_WEBHOOK_SECRET. https (plain http on loopback only). Never logged. */
  NOTIFY_WEBHOOK_URL: z.url().optional(),
  /** The webhook's signing secret (at least 32 characters). Never logged. */
  NOTIFY_WEBHOOK_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Microsoft Teams: a Workflows (Power Automate) "when a Teams webhook request is received" URL; an Adaptive Card is POSTed. Never logged. */
  NOTIFY_TEAMS_WORKFLOW_URL: z.url().optional(),
  /** Comment on the Defender alert that triggered a run when it ends (PATCH /api/alerts/{id}; needs Alert.ReadWrite.All). */
  NOTIFY_DEFENDER_ALERT_COMMENTS: bool.default(false),
  /** Wall time one webhook or Teams POST may take before it counts as a passing fault. */
  NOTIFY_REQUEST_TIMEOUT_MS: int(100).max(120_000).default(10_000),
  /** The Defender alert comment is cut to this many characters. */
  NOTIFY_ALERT_COMMENT_MAX_CHARS: int(200).max(30_000).default(4_000),
  /** Each value taken from an alert or a device (title, device name, path, error) is cut to this many characters in a notification. */
  NOTIFY_FIELD_MAX_CHARS: int(16).max(4_000).default(256),
  /** Devices listed one by one in a Teams card or an alert comment (the webhook lists all); the rest are counted. */
  NOTIFY_MAX_DEVICES: int(1).max(500).default(20),
  /** Where notifications that could not be queued are kept until the reconciliation sweep queues them (Table Storage; written only when a send fails). */
  NOTIFY_OWED_TABLE: tableName('notifyowed'),
  /** Owed notifications the reconciliation sweep queues per firing; the next firing takes the rest. */
  NOTIFY_OWED_PER_FIRING: int(1).max(1_000).default(100),
  /**
   * The reconciliation sweep queues again the run-ended notification of a run it reads that ended this long ago or
   * less, in case it was neither queued nor recorded as owed. Keep it below the duplicate detection window (10 min),
   * so one that did go out is dropped as a duplicate. 0: off.
   */
  NOTIFY_RESEND_ENDED_WITHIN_MS: int(0)
    .max(60 * MINUTE_MS)
    .default(9 * MINUTE_MS),
};

/** The notify queue's sinks (each optional; URLs and the secret are never logged) and their limits. */
export interface NotifyConfig {
  webhook?: { url: string; secret: string };
  teams?: { workflowUrl: string };
  defenderAlertComments: boolean;
  requestTimeoutMs: number;
  alertCommentMaxChars: number;
  fieldMaxChars: number;
  maxDevices: number;
  /** Owed notifications (could not be queued): their table, and how many the sweep queues per firing. */
  owedTable: string;
  owedPerFiring: number;
  /** The sweep queues again the run-ended notification of a run that ended this recently (0: off). */
  resendEndedWithinMs: number;
}

type NotifySettings = SettingsOf<typeof notifySettings>;

export function notifyConfig(s: NotifySettings): NotifyConfig {
  return {
    ...(s.NOTIFY_WEBHOOK_URL !== undefined && s.NOTIFY_WEBHOOK_SECRET !== undefined
      ? { webhook: { url: s.NOTIFY_WEBHOOK_URL, secret: s.NOTIFY_WEBHOOK_SECRET } }
      : {}),
    ...(s.NOTIFY_TEAMS_WORKFLOW_URL !== undefined ? { teams: { workflowUrl: s.NOTIFY_TEAMS_WORKFLOW_URL } } : {}),
    defenderAlertComments: s.NOTIFY_DEFENDER_ALERT_COMMENTS,
    requestTimeoutMs: s.NOTIFY_REQUEST_TIMEOUT_MS,
    alertCommentMaxChars: s.NOTIFY_ALERT_COMMENT_MAX_CHARS,
    fieldMaxChars: s.NOTIFY_FIELD_MAX_CHARS,
    maxDevices: s.NOTIFY_MAX_DEVICES,
    owedTable: s.NOTIFY_OWED_TABLE,
    owedPerFiring: s.NOTIFY_OWED_PER_FIRING,
    resendEndedWithinMs: s.NOTIFY_RESEND_ENDED_WITHIN_MS,
  };
}

type DuplicateWindow = Pick<SettingsOf<typeof busSettings>, 'BUS_KIND' | 'BUS_DUPLICATE_DETECTION_WINDOW_MS'>;

/**
 * A webhook needs its secret (and a secret its webhook); sink URLs are https, plain http only on loopback; on the
 * storage-queue bus with a sink, the sweep's re-send of a run's end falls within duplicate detection (Service Bus's window is
 * infra's, 10 minutes).
 */
export function notifyRules(s: NotifySettings & DuplicateWindow): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const windowMs = s.BUS_DUPLICATE_DETECTION_WINDOW_MS;
  const anySink = s.NOTIFY_WEBHOOK_URL !== undefined || s.NOTIFY_TEAMS_WORKFLOW_URL !== undefined || s.NOTIFY_DEFENDER_ALERT_COMMENTS;
  const resendMs = s.NOTIFY_RESEND_ENDED_WITHIN_MS;
  if (anySink && s.BUS_KIND === 'storage-queues' && resendMs > 0 && resendMs >= windowMs) {
    problems.push({
      setting: 'NOTIFY_RESEND_ENDED_WITHIN_MS',
      message: `must be below BUS_DUPLICATE_DETECTION_WINDOW_MS (${windowMs}), or 0, else a run's end may be notified twice`,
    });
  }
  if (s.NOTIFY_WEBHOOK_URL !== undefined && s.NOTIFY_WEBHOOK_SECRET === undefined) {
    problems.push({ setting: 'NOTIFY_WEBHOOK_SECRET', message: 'required when NOTIFY_WEBHOOK_URL is set (the webhook is always signed)' });
  }
  if (s.NOTIFY_WEBHOOK_SECRET !== undefined && s.NOTIFY_WEBHOOK_URL === undefined) {
    problems.push({ setting: 'NOTIFY_WEBHOOK_URL', message: 'required when NOTIFY_WEBHOOK_SECRET is set' });
  }
  for (const setting of ['NOTIFY_WEBHOOK_URL', 'NOTIFY_TEAMS_WORKFLOW_URL'] as const) {
    const value = s[setting];
    if (value === undefined) continue;
    const url = new URL(value);
    // The value is a secret (a workflow URL carries its signature): the message never quotes it.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      problems.push({ setting, message: 'must be an https URL (plain http only on loopback); the value is not shown' });
    }
  }
  return problems;
}
