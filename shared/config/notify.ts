import { z } from 'zod';
import type { SettingProblem } from '../errors.js';
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
  };
}

/** A webhook needs its secret (and a secret its webhook); sink URLs are https, plain http only on loopback. */
export function notifyRules(s: NotifySettings): SettingProblem[] {
  const problems: SettingProblem[] = [];
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
