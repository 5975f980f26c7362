import { z } from 'zod';
import { ConfigError, type SettingProblem } from './errors.js';
import type { AuthSettings } from './auth/authenticate.js';
import { busConfig, busRequired, busSettings, deadLettersConfig, deliveryConfig } from './config/bus.js';
import type { BusConfig, DeadLettersConfig, DeliveryConfig } from './config/bus.js';
import { defenderConfig, defenderRules, defenderSettings, type DefenderConfig } from './config/defender.js';
import { evidenceConfig, evidenceRules, evidenceSettings, type EvidenceConfig } from './config/evidence.js';
import { alertPollerConfig, deviceDirectoryConfig, intakeSettings, streamingAlertsConfig } from './config/intake.js';
import type { AlertPollerConfig, DeviceDirectoryConfig, StreamingAlertsConfig } from './config/intake.js';
import { metricsConfig, metricsSettings, type MetricsConfig } from './config/metrics.js';
import { notifyConfig, notifyRules, notifySettings, type NotifyConfig } from './config/notify.js';
import { authConfig, operatorApiConfig, operatorRules, operatorSettings, type OperatorApiConfig } from './config/operator.js';
import { limitsConfig, pacingRules, pacingSettings, pollingConfig, type LimitsConfig, type PollingConfig } from './config/pacing.js';
import { reconcileConfig, reconcileSettings, type ReconcileConfig } from './config/reconcile.js';
import { storageConfig, storageRequired, storageSettings, type StorageConfig } from './config/storage.js';

export { isLoopback } from './config/values.js';
export type { NotifyConfig } from './config/notify.js';

/**
 * Every setting, read once at start-up from the environment (Function App
 * settings, local.settings.json, or the local host), validated and frozen.
 * A missing or invalid setting fails here, naming the setting.
 * Each group of settings lives with its feature in shared/config/ (its
 * schema, its part of Config, and the rules that tie its values together);
 * this file puts the groups together. The README's configuration reference
 * lists the same names and defaults.
 */
export const settingsSchema = z.object({
  ...defenderSettings,
  ...pacingSettings,
  ...storageSettings,
  ...evidenceSettings,
  ...busSettings,
  ...intakeSettings,
  ...reconcileSettings,
  ...operatorSettings,
  ...notifySettings,
  ...metricsSettings,
  /** Local demos only: how many times faster than the wall clock the responder's clock runs. */
  TIME_SCALE: z.coerce.number().positive().default(1),
});

type Settings = z.infer<typeof settingsSchema>;

export interface Config {
  defender: DefenderConfig;
  limits: LimitsConfig;
  polling: PollingConfig;
  storage: StorageConfig;
  evidence: EvidenceConfig;
  bus: BusConfig;
  delivery: DeliveryConfig;
  deadLetters: DeadLettersConfig;
  playbooksDir: string;
  scheduleSweepCron: string;
  /** How operator API callers are verified (shared/auth/authenticate.ts). */
  auth: AuthSettings;
  operatorApi: OperatorApiConfig;
  reconcile: ReconcileConfig;
  alertPoller: AlertPollerConfig;
  streamingAlerts: StreamingAlertsConfig;
  deviceDirectory: DeviceDirectoryConfig;
  notify: NotifyConfig;
  metrics: MetricsConfig;
  timeScale: number;
}

/** Builds the one config object; throws one ConfigError naming every bad setting. */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = settingsSchema.safeParse(present);
  const problems = [
    ...(parsed.success ? valueRules(parsed.data) : settingProblems(parsed.error, present)),
    ...storageRequired(present),
    ...busRequired(present),
  ];
  if (problems.length > 0 || !parsed.success) throw ConfigError.of(problems);
  return Object.freeze(toConfig(parsed.data));
}

/** Settings whose values are secrets: never quoted in a problem, a log or a config dump. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'NOTIFY_WEBHOOK_URL',
  'NOTIFY_WEBHOOK_SECRET',
  'NOTIFY_TEAMS_WORKFLOW_URL',
  'STORAGE_CONNECTION_STRING',
  'ServiceBusConnection',
]);

/** The first problem with each setting, in the schema's order, quoting the value given (a secret's value is not quoted). */
function settingProblems(error: z.ZodError, present: Record<string, string | undefined>): SettingProblem[] {
  const bySetting = new Map<string, string>();
  for (const issue of error.issues) {
    const setting = String(issue.path[0] ?? '(settings)');
    const given = SECRET_SETTINGS.has(setting) ? 'a value not shown' : JSON.stringify(present[setting] ?? null);
    if (!bySetting.has(setting)) bySetting.set(setting, `${issue.message} (got ${given})`);
  }
  return [...bySetting].map(([setting, message]) => ({ setting, message }));
}

/** Rules that tie setting values together, checked once every setting is valid on its own. */
const valueRules = (s: Settings): SettingProblem[] => [
  ...pacingRules(s),
  ...defenderRules(s),
  ...evidenceRules(s),
  ...notifyRules(s),
  ...operatorRules(s),
];

function toConfig(s: Settings): Config {
  return {
    defender: defenderConfig(s),
    limits: limitsConfig(s),
    polling: pollingConfig(s),
    storage: storageConfig(s),
    evidence: evidenceConfig(s),
    bus: busConfig(s),
    delivery: deliveryConfig(s),
    deadLetters: deadLettersConfig(s),
    playbooksDir: s.PLAYBOOKS_DIR,
    scheduleSweepCron: s.SCHEDULE_SWEEP_CRON,
    auth: authConfig(s),
    operatorApi: operatorApiConfig(s),
    reconcile: reconcileConfig(s),
    alertPoller: alertPollerConfig(s),
    streamingAlerts: streamingAlertsConfig(s),
    deviceDirectory: deviceDirectoryConfig(s),
    notify: notifyConfig(s),
    metrics: metricsConfig(s),
    timeScale: s.TIME_SCALE,
  };
}
