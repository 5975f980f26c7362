import { z } from 'zod';
import { ConfigError, type SettingProblem } from './errors.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './clock.js';
import { DEFENDER_SCOPE } from './defender/port.js';
import { parseCron } from './playbooks/cron.js';
import type { AuthSettings } from './auth/authenticate.js';
import { isRole, ROLE_NAMES } from './auth/roles.js';
import { QUEUE_NAMES, queueSetting, type QueueMap, type QueueName } from './bus/queues.js';

/**
 * Every setting, read once at start-up from the environment (Function App
 * settings, local.settings.json, or the local host), validated and frozen.
 * A missing or invalid setting fails here, naming the setting.
 * The README's configuration reference lists the same names and defaults.
 */

const int = (min: number) => z.coerce.number().int().min(min);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const settingsSchema = z
  .object({
    // Defender API
    DEFENDER_API_BASE_URL: z.url().default('https://api.securitycenter.microsoft.com'),
    DEFENDER_TOKEN_SCOPE: z.string().min(1).default(DEFENDER_SCOPE),
    /** Allow plain http for the API and result links: only for the local simulator on loopback. */
    DEFENDER_ALLOW_HTTP_LOOPBACK: bool.default(false),
    /** Hosts result links may point to (suffix match). */
    DEFENDER_LINK_HOST_SUFFIXES: z.string().default('.blob.core.windows.net'),
    DEFENDER_REQUEST_TIMEOUT_MS: int(1).default(30_000),
    DEFENDER_DEFAULT_RETRY_AFTER_MS: int(1).default(60_000),
    /** How long after an unknown POST outcome the action list is trusted to show our action if it exists (list lag bound). */
    DEFENDER_LIST_LAG_BOUND_MS: int(0).default(5 * MINUTE_MS),

    // Limits the pacing holds (numbers with their windows; the API's documented values by default)
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
    /** Where the tenant-wide pacing state lives (Table Storage). */
    PACING_TABLE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a valid table name')
      .default('pacing'),

    // Polling and retry cadence
    POLL_FIRST_DELAY_MS: int(1).default(15_000),
    POLL_IN_PROGRESS_MS: int(1).default(15_000),
    POLL_PENDING_MS: int(1).default(5 * MINUTE_MS),
    // An open action on a device other runs wait for is looked at this often, so the device is handed on soon after it ends.
    POLL_DEVICE_QUEUE_MS: int(1_000).default(5_000),
    DEVICE_BUSY_RETRY_MS: int(1).default(2 * MINUTE_MS),
    DEVICE_BUSY_MAX_RETRY_MS: int(1).default(30 * MINUTE_MS),
    SESSIONS_FULL_RETRY_MS: int(1).default(15_000),

    // Storage (runs, evidence; the local bus)
    STORAGE_CONNECTION_STRING: z.string().optional(),
    STORAGE_BLOB_URI: z.url().optional(),
    STORAGE_TABLE_URI: z.url().optional(),
    STORAGE_QUEUE_URI: z.url().optional(),
    EVIDENCE_CONTAINER: z
      .string()
      .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'a valid blob container name')
      .default('evidence'),
    RUNS_TABLE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a valid table name')
      .default('runs'),
    EVIDENCE_BLOCK_SIZE_BYTES: int(1024 * 1024).default(4 * 1024 * 1024),
    // Blocks staged at once per transfer; one more buffer fills meanwhile: memory is block size x (this + 1), 12 MiB.
    EVIDENCE_UPLOAD_CONCURRENCY: int(1).default(2),
    EVIDENCE_MAX_ORIGINAL_BYTES: int(1).default(4 * 1024 * 1024 * 1024),
    /** How long an evidence download link (POST /api/runs/{id}/evidence/link) works: minutes, not hours. */
    EVIDENCE_LINK_TTL_MS: int(10_000)
      .max(HOUR_MS)
      .default(5 * MINUTE_MS),

    // Message bus
    BUS_KIND: z.enum(['servicebus', 'storage-queues']).default('servicebus'),
    ServiceBusConnection: z.string().optional(),
    ServiceBusConnection__fullyQualifiedNamespace: z.string().optional(),
    // QUEUE_ALERTS, QUEUE_ACTIONS, ...: one per queue of shared/bus/queues.ts (queueSettings below)
    /** Storage-queue bus: a second send of one message id within this window (responder ms) is dropped, as Service Bus's duplicate detection does (its default window: 10 minutes). 0: off. */
    BUS_DUPLICATE_DETECTION_WINDOW_MS: int(0).default(10 * MINUTE_MS),
    /** Storage-queue bus: where the ids sent within the window are kept (Table Storage, shared by every worker). */
    BUS_SENT_IDS_TABLE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a valid table name')
      .default('bussentids'),

    // Delivery contract: expected failures a handler lets escape (shared/bus/settleExpected.ts)
    /** Transient failures of one message (each rescheduled with backoff) before it is dead-lettered with TransientRetriesExhausted. */
    DELIVERY_TRANSIENT_RETRIES: int(0).default(10),
    /** The first transient failure's wait before the message comes back; it doubles with each. */
    DELIVERY_RETRY_BASE_MS: int(1).default(1_000),
    /** The longest wait after a transient failure. */
    DELIVERY_RETRY_MAX_MS: int(1).default(5 * MINUTE_MS),

    // Dead letters (npm run deadletters)
    /** A dead letter's body preview is cut to this many bytes (after redaction). */
    DEADLETTER_PREVIEW_BYTES: int(64)
      .max(64 * 1024)
      .default(2 * 1024),
    /** A list, replay or purge reads at most this many messages of each dead-letter queue. */
    DEADLETTER_SCAN_MAX: int(1).max(100_000).default(1_000),

    // Playbooks
    PLAYBOOKS_DIR: z.string().default('playbooks'),
    /** NCRONTAB (six fields) of the timer that starts due playbook schedules. */
    SCHEDULE_SWEEP_CRON: z
      .string()
      .refine((c) => parseCron(c).ok, 'a six-field NCRONTAB expression such as 0 */5 * * * *')
      .default('0 */5 * * * *'),

    // The reconciliation sweep (re-drives work whose message was lost) and the poll-tick watchdog
    /** NCRONTAB (six fields) of the reconciliation timer; `off`: neither the sweep nor the watchdog runs. */
    RECONCILE_CRON: z
      .string()
      .refine((c) => c === 'off' || parseCron(c).ok, 'a six-field NCRONTAB expression such as 0 */5 * * * *, or off')
      .default('0 */5 * * * *'),
    /** A device action without progress this long is re-driven (longer than a collection's backoff chain, about 1 h). */
    RECONCILE_STALE_MS: int(MINUTE_MS).default(2 * HOUR_MS),
    /** Runs created this long ago or less are swept (an offline device's action waits up to 3 days). */
    RECONCILE_HORIZON_MS: int(HOUR_MS).default(4 * DAY_MS),
    /** Runs read per firing; the next firing resumes where this one stopped. */
    RECONCILE_RUNS_PER_FIRING: int(1).max(1_000).default(200),
    /** Re-drives of one device action before the sweep gives up on it (its results recorded as failed, or left for an operator). */
    RECONCILE_MAX_REDRIVES: int(1).default(3),

    // Operator API sign-in and audit
    /** `appservice`: trust X-MS-CLIENT-PRINCIPAL only when App Service Authentication is on; `development`: one fixed principal (local only). */
    OPERATOR_AUTH: z.enum(['appservice', 'development']).default('appservice'),
    /** Set by App Service when its authentication is enabled for the app (`True`); never set it by hand. */
    WEBSITE_AUTH_ENABLED: z.string().optional(),
    /** Set by App Service on every instance: the app runs in Azure. */
    WEBSITE_INSTANCE_ID: z.string().optional(),
    /** The development principal's name and roles (OPERATOR_AUTH=development). */
    DEV_PRINCIPAL_NAME: z.string().min(1).max(200).default('developer@localhost'),
    DEV_PRINCIPAL_ROLES: z
      .string()
      .refine((v) => v.split(',').every((r) => isRole(r.trim())), `a comma-separated list of ${ROLE_NAMES.join(', ')}`)
      .default(ROLE_NAMES.join(',')),
    /** Where the append-only audit log lives (Table Storage). */
    AUDIT_TABLE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a valid table name')
      .default('audit'),
    /** GET /api/runs: runs one request reads at most while it applies the filters the store cannot (status, playbook, device, trigger). */
    RUNS_LIST_SCAN_MAX: int(1).max(10_000).default(1_000),
    /** GET /api/health: how long each check (storage, bus, Defender token) may take before it is reported failing. */
    HEALTH_CHECK_TIMEOUT_MS: int(100).max(60_000).default(5_000),
    /** GET /api/status: how long each part (the pacing record, each queue's look) may take before it is reported unavailable. */
    STATUS_PROBE_TIMEOUT_MS: int(100).max(60_000).default(5_000),
    /** GET /api/status on Service Bus: messages peeked at most per queue, poison queue and dead-letter queue (counts past it read "at least"). */
    STATUS_PEEK_MAX: int(1).max(5_000).default(100),
    /** GET /api/status: how long one look at a queue is shared by every caller (each console on the pacing page polls); 0: every call looks. */
    STATUS_QUEUE_LOOK_CACHE_MS: int(0).max(300_000).default(10_000),

    // Optional alert poller (off unless ALERT_POLL_CRON is set)
    /** NCRONTAB (six fields) of the alert poller timer; unset: the poller is off. */
    ALERT_POLL_CRON: z
      .string()
      .refine((c) => parseCron(c).ok, 'a six-field NCRONTAB expression such as 0 */5 * * * *')
      .optional(),
    /** With no stored watermark yet, the first poll looks back this far. */
    ALERT_POLL_LOOKBACK_MS: int(1).default(HOUR_MS),
    /** Each poll re-reads this much before the watermark (late-indexed alerts); repeats are recognised and skipped. */
    ALERT_POLL_OVERLAP_MS: int(0).default(MINUTE_MS),
    ALERT_POLL_PAGE_SIZE: int(1).max(10_000).default(1_000),
    ALERT_POLL_MAX_PAGES: int(1).default(10),
    /** Where the poller's watermark lives (Table Storage). */
    WATERMARK_TABLE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a valid table name')
      .default('watermarks'),

    // Streamed alerts (the streaming API's records, assembled by AlertId across messages)
    /** An alert whose AlertInfo or device has not arrived is answered with what did once no row came for this long. */
    STREAMING_ALERT_QUIET_MS: int(1).default(2 * MINUTE_MS),
    /** Evidence rows kept per streamed alert; more are counted, reported with the alert, and not kept. */
    STREAMING_ALERT_MAX_ROWS: int(1).max(5_000).default(500),
    /** Where streamed alerts are assembled (Table Storage). */
    ALERT_ASSEMBLY_TABLE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a valid table name')
      .default('alertassembly'),

    // The cached device directory (intake reads it instead of calling Defender per device)
    /** NCRONTAB (six fields) of the timer that lists every machine into the directory; `off`: no refresh. */
    DEVICE_DIRECTORY_CRON: z
      .string()
      .refine((c) => c === 'off' || parseCron(c).ok, 'a six-field NCRONTAB expression such as 0 */15 * * * *, or off')
      .default('0 */15 * * * *'),
    /** Where the directory lives (Table Storage). */
    DEVICE_DIRECTORY_TABLE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a valid table name')
      .default('devices'),
    /** A directory last refreshed longer ago than this is stale: still used, with a warning in each intake's log. */
    DEVICE_DIRECTORY_MAX_AGE_MS: int(1).default(HOUR_MS),
    /** Look-ups (GET /machines/{id}) intake may make, tenant-wide, between two refreshes for devices missing from the directory. */
    DEVICE_DIRECTORY_MISS_LOOKUPS: int(0).default(20),
    /** An alert whose device is missing, with no look-up left, is sent again this much later. */
    DEVICE_DIRECTORY_MISS_RETRY_MS: int(1).default(5 * MINUTE_MS),
    /** How long an alert waits for a missing device before it is answered with what it says itself. */
    DEVICE_DIRECTORY_MISS_MAX_WAIT_MS: int(0).default(HOUR_MS),

    // Notifications (the notify queue): every sink is optional; none configured, nothing is queued
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

    // The responder's own metrics (shared/telemetry/instruments.ts)
    /** `false`: the Function App exports no metrics of its own, even with Application Insights configured. */
    METRICS_ENABLED: bool.default(true),
    /** Application Insights (set by infra/); unset: the Function App exports no metrics of its own. */
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().min(1).optional(),
    /** Client id of the app's user-assigned identity: metrics are sent with its token (Application Insights' local auth is off). */
    AZURE_CLIENT_ID: z.string().min(1).optional(),

    /** Local demos only: how many times faster than the wall clock the responder's clock runs. */
    TIME_SCALE: z.coerce.number().positive().default(1),
  })
  .extend(queueSettings());

type Settings = z.infer<typeof settingsSchema>;

/** `QUEUE_<NAME>` for every queue of the one queue table, defaulting to the queue's own name. */
function queueSettings(): { [Q in QueueName as `QUEUE_${Uppercase<Q>}`]: z.ZodDefault<z.ZodString> } {
  // Object.fromEntries cannot carry the key-to-value typing; the mapped type above states it.
  return Object.fromEntries(QUEUE_NAMES.map((q) => [queueSetting(q), z.string().min(1).default(q)])) as {
    [Q in QueueName as `QUEUE_${Uppercase<Q>}`]: z.ZodDefault<z.ZodString>;
  };
}

export interface Config {
  defender: {
    baseUrl: string;
    scope: string;
    allowHttpLoopback: boolean;
    linkHostSuffixes: string[];
    requestTimeoutMs: number;
    defaultRetryAfterMs: number;
    listLagBoundMs: number;
  };
  limits: {
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
  };
  polling: {
    firstDelayMs: number;
    inProgressMs: number;
    pendingMs: number;
    /** The look at an action, in progress or just sent, on a device other runs wait for (at most inProgressMs). */
    deviceQueueMs: number;
    deviceBusyRetryMs: number;
    deviceBusyMaxRetryMs: number;
    sessionsFullRetryMs: number;
  };
  storage:
    | {
        kind: 'connectionString';
        connectionString: string;
        evidenceContainer: string;
        runsTable: string;
        pacingTable: string;
        watermarkTable: string;
        auditTable: string;
        deviceDirectoryTable: string;
        assemblyTable: string;
      }
    | {
        kind: 'identity';
        blobUri: string;
        tableUri: string;
        queueUri?: string;
        evidenceContainer: string;
        runsTable: string;
        pacingTable: string;
        watermarkTable: string;
        auditTable: string;
        deviceDirectoryTable: string;
        assemblyTable: string;
      };
  /** Evidence transfers (block size, parallel blocks, largest original) and how long a download link works. */
  evidence: { blockSizeBytes: number; uploadConcurrency: number; maxOriginalBytes: number; linkTtlMs: number };
  bus:
    | { kind: 'servicebus'; connectionString?: string; fullyQualifiedNamespace?: string; queues: QueueMap }
    | { kind: 'storage-queues'; queues: QueueMap; duplicateDetectionWindowMs: number; sentIdsTable: string };
  /** What the delivery contract does with an expected failure a handler lets escape (shared/bus/settleExpected.ts). */
  delivery: { transientRetries: number; retryBaseMs: number; retryMaxMs: number };
  deadLetters: { previewBytes: number; scanMax: number };
  playbooksDir: string;
  scheduleSweepCron: string;
  /** How operator API callers are verified (shared/auth/authenticate.ts). */
  auth: AuthSettings;
  /** The operator API's reads: the runs list's scan bound, the health checks' time-out (wall clock). */
  operatorApi: {
    runsListScanMax: number;
    healthCheckTimeoutMs: number;
    statusProbeTimeoutMs: number;
    statusPeekMax: number;
    statusQueueLookCacheMs: number;
  };
  /** The reconciliation sweep and poll-tick watchdog: its timer (undefined: off) and bounds. */
  reconcile: { schedule?: string; staleMs: number; horizonMs: number; runsPerFiring: number; maxRedrives: number };
  alertPoller: { schedule?: string; lookbackMs: number; overlapMs: number; pageSize: number; maxPages: number };
  /** Streamed alerts: the quiet period after which one is answered with what arrived, and the rows kept per alert. */
  streamingAlerts: { quietMs: number; maxRows: number };
  /** The cached device directory: its refresh timer (undefined: off) and what intake does with a missing device. */
  deviceDirectory: { schedule?: string; maxAgeMs: number; missLookups: number; missRetryMs: number; missMaxWaitMs: number };
  /** The notify queue's sinks (each optional; URLs and the secret are never logged) and their limits. */
  notify: NotifyConfig;
  /** The responder's own metrics: exported to Application Insights when enabled and a connection string is set (functions/lib/metricsExport.ts). */
  metrics: { enabled: boolean; connectionString?: string; identityClientId?: string };
  timeScale: number;
}

export interface NotifyConfig {
  webhook?: { url: string; secret: string };
  teams?: { workflowUrl: string };
  defenderAlertComments: boolean;
  requestTimeoutMs: number;
  alertCommentMaxChars: number;
  fieldMaxChars: number;
  maxDevices: number;
}

/** Builds the one config object; throws one ConfigError naming every bad setting. */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = settingsSchema.safeParse(present);
  const problems = [...(parsed.success ? valueRules(parsed.data) : settingProblems(parsed.error, present)), ...requiredRules(present)];
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
function valueRules(s: Settings): SettingProblem[] {
  const problems: SettingProblem[] = [];
  if (s.SESSIONS_FULL_RETRY_MS <= s.PACING_SEND_LEAD_MS) {
    // A retry inside the send lead would admit a call while every session is taken.
    problems.push({
      setting: 'SESSIONS_FULL_RETRY_MS',
      message: `must be longer than PACING_SEND_LEAD_MS (${s.PACING_SEND_LEAD_MS}) (got ${s.SESSIONS_FULL_RETRY_MS})`,
    });
  }
  const base = new URL(s.DEFENDER_API_BASE_URL);
  if (base.protocol !== 'https:' && !(s.DEFENDER_ALLOW_HTTP_LOOPBACK && isLoopback(base.hostname))) {
    problems.push({
      setting: 'DEFENDER_API_BASE_URL',
      message: 'must be https (plain http only on loopback with DEFENDER_ALLOW_HTTP_LOOPBACK=true)',
    });
  }
  problems.push(...notifyRules(s));
  if (s.OPERATOR_AUTH === 'development' && s.WEBSITE_INSTANCE_ID) {
    problems.push({
      setting: 'OPERATOR_AUTH',
      message: 'development sign-in is refused in Azure (WEBSITE_INSTANCE_ID is set): use appservice',
    });
  }
  return problems;
}

/** A webhook needs its secret (and a secret its webhook); sink URLs are https, plain http only on loopback. */
function notifyRules(s: Settings): SettingProblem[] {
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

/** Connections that must be given one way or another (checked whatever else is wrong). */
function requiredRules(present: Record<string, string | undefined>): SettingProblem[] {
  const problems: SettingProblem[] = [];
  if (!present.STORAGE_CONNECTION_STRING && !(present.STORAGE_BLOB_URI && present.STORAGE_TABLE_URI)) {
    problems.push({
      setting: 'STORAGE_CONNECTION_STRING',
      message: 'required (or STORAGE_BLOB_URI and STORAGE_TABLE_URI with a managed identity)',
    });
  }
  const busKind = present.BUS_KIND ?? 'servicebus';
  if (busKind === 'storage-queues' && !present.STORAGE_CONNECTION_STRING && !present.STORAGE_QUEUE_URI) {
    problems.push({ setting: 'STORAGE_QUEUE_URI', message: 'required when BUS_KIND=storage-queues (or STORAGE_CONNECTION_STRING)' });
  }
  if (busKind === 'servicebus' && !present.ServiceBusConnection && !present.ServiceBusConnection__fullyQualifiedNamespace) {
    problems.push({
      setting: 'ServiceBusConnection__fullyQualifiedNamespace',
      message: 'required when BUS_KIND=servicebus (or ServiceBusConnection)',
    });
  }
  return problems;
}

function toConfig(s: Settings): Config {
  const queues = Object.fromEntries(QUEUE_NAMES.map((q) => [q, s[queueSetting(q)]])) as Record<QueueName, string>;
  return {
    defender: {
      baseUrl: s.DEFENDER_API_BASE_URL.replace(/\/+$/, ''),
      scope: s.DEFENDER_TOKEN_SCOPE,
      allowHttpLoopback: s.DEFENDER_ALLOW_HTTP_LOOPBACK,
      linkHostSuffixes: s.DEFENDER_LINK_HOST_SUFFIXES.split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      requestTimeoutMs: s.DEFENDER_REQUEST_TIMEOUT_MS,
      defaultRetryAfterMs: s.DEFENDER_DEFAULT_RETRY_AFTER_MS,
      listLagBoundMs: s.DEFENDER_LIST_LAG_BOUND_MS,
    },
    limits: {
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
    },
    polling: {
      firstDelayMs: s.POLL_FIRST_DELAY_MS,
      inProgressMs: s.POLL_IN_PROGRESS_MS,
      pendingMs: s.POLL_PENDING_MS,
      deviceQueueMs: s.POLL_DEVICE_QUEUE_MS,
      deviceBusyRetryMs: s.DEVICE_BUSY_RETRY_MS,
      deviceBusyMaxRetryMs: s.DEVICE_BUSY_MAX_RETRY_MS,
      sessionsFullRetryMs: s.SESSIONS_FULL_RETRY_MS,
    },
    storage: storageOf(s),
    evidence: {
      blockSizeBytes: s.EVIDENCE_BLOCK_SIZE_BYTES,
      uploadConcurrency: s.EVIDENCE_UPLOAD_CONCURRENCY,
      maxOriginalBytes: s.EVIDENCE_MAX_ORIGINAL_BYTES,
      linkTtlMs: s.EVIDENCE_LINK_TTL_MS,
    },
    bus: busOf(s, queues),
    delivery: {
      transientRetries: s.DELIVERY_TRANSIENT_RETRIES,
      retryBaseMs: s.DELIVERY_RETRY_BASE_MS,
      retryMaxMs: s.DELIVERY_RETRY_MAX_MS,
    },
    deadLetters: { previewBytes: s.DEADLETTER_PREVIEW_BYTES, scanMax: s.DEADLETTER_SCAN_MAX },
    playbooksDir: s.PLAYBOOKS_DIR,
    scheduleSweepCron: s.SCHEDULE_SWEEP_CRON,
    auth: authOf(s),
    operatorApi: {
      runsListScanMax: s.RUNS_LIST_SCAN_MAX,
      healthCheckTimeoutMs: s.HEALTH_CHECK_TIMEOUT_MS,
      statusProbeTimeoutMs: s.STATUS_PROBE_TIMEOUT_MS,
      statusPeekMax: s.STATUS_PEEK_MAX,
      statusQueueLookCacheMs: s.STATUS_QUEUE_LOOK_CACHE_MS,
    },
    reconcile: {
      schedule: s.RECONCILE_CRON === 'off' ? undefined : s.RECONCILE_CRON,
      staleMs: s.RECONCILE_STALE_MS,
      horizonMs: s.RECONCILE_HORIZON_MS,
      runsPerFiring: s.RECONCILE_RUNS_PER_FIRING,
      maxRedrives: s.RECONCILE_MAX_REDRIVES,
    },
    alertPoller: {
      schedule: s.ALERT_POLL_CRON,
      lookbackMs: s.ALERT_POLL_LOOKBACK_MS,
      overlapMs: s.ALERT_POLL_OVERLAP_MS,
      pageSize: s.ALERT_POLL_PAGE_SIZE,
      maxPages: s.ALERT_POLL_MAX_PAGES,
    },
    streamingAlerts: { quietMs: s.STREAMING_ALERT_QUIET_MS, maxRows: s.STREAMING_ALERT_MAX_ROWS },
    deviceDirectory: {
      schedule: s.DEVICE_DIRECTORY_CRON === 'off' ? undefined : s.DEVICE_DIRECTORY_CRON,
      maxAgeMs: s.DEVICE_DIRECTORY_MAX_AGE_MS,
      missLookups: s.DEVICE_DIRECTORY_MISS_LOOKUPS,
      missRetryMs: s.DEVICE_DIRECTORY_MISS_RETRY_MS,
      missMaxWaitMs: s.DEVICE_DIRECTORY_MISS_MAX_WAIT_MS,
    },
    notify: {
      ...(s.NOTIFY_WEBHOOK_URL !== undefined && s.NOTIFY_WEBHOOK_SECRET !== undefined
        ? { webhook: { url: s.NOTIFY_WEBHOOK_URL, secret: s.NOTIFY_WEBHOOK_SECRET } }
        : {}),
      ...(s.NOTIFY_TEAMS_WORKFLOW_URL !== undefined ? { teams: { workflowUrl: s.NOTIFY_TEAMS_WORKFLOW_URL } } : {}),
      defenderAlertComments: s.NOTIFY_DEFENDER_ALERT_COMMENTS,
      requestTimeoutMs: s.NOTIFY_REQUEST_TIMEOUT_MS,
      alertCommentMaxChars: s.NOTIFY_ALERT_COMMENT_MAX_CHARS,
      fieldMaxChars: s.NOTIFY_FIELD_MAX_CHARS,
      maxDevices: s.NOTIFY_MAX_DEVICES,
    },
    metrics: {
      enabled: s.METRICS_ENABLED,
      ...(s.APPLICATIONINSIGHTS_CONNECTION_STRING ? { connectionString: s.APPLICATIONINSIGHTS_CONNECTION_STRING } : {}),
      ...(s.AZURE_CLIENT_ID ? { identityClientId: s.AZURE_CLIENT_ID } : {}),
    },
    timeScale: s.TIME_SCALE,
  };
}

function storageOf(s: Settings): Config['storage'] {
  const names = {
    evidenceContainer: s.EVIDENCE_CONTAINER,
    runsTable: s.RUNS_TABLE,
    pacingTable: s.PACING_TABLE,
    watermarkTable: s.WATERMARK_TABLE,
    auditTable: s.AUDIT_TABLE,
    deviceDirectoryTable: s.DEVICE_DIRECTORY_TABLE,
    assemblyTable: s.ALERT_ASSEMBLY_TABLE,
  };
  if (s.STORAGE_CONNECTION_STRING) return { kind: 'connectionString', connectionString: s.STORAGE_CONNECTION_STRING, ...names };
  // requiredRules made sure both URIs are set.
  return {
    kind: 'identity',
    blobUri: s.STORAGE_BLOB_URI ?? '',
    tableUri: s.STORAGE_TABLE_URI ?? '',
    queueUri: s.STORAGE_QUEUE_URI,
    ...names,
  };
}

function authOf(s: Settings): AuthSettings {
  if (s.OPERATOR_AUTH === 'appservice') return { mode: 'appservice', platformAuthEnabled: /^true$/i.test(s.WEBSITE_AUTH_ENABLED ?? '') };
  const roles = s.DEV_PRINCIPAL_ROLES.split(',')
    .map((r) => r.trim())
    .filter(isRole);
  return {
    mode: 'development',
    principal: { objectId: '00000000-0000-0000-0000-00000000dev0', name: s.DEV_PRINCIPAL_NAME, kind: 'user', roles: [...new Set(roles)] },
  };
}

function busOf(s: Settings, queues: QueueMap): Config['bus'] {
  if (s.BUS_KIND === 'storage-queues') {
    return {
      kind: 'storage-queues',
      queues,
      duplicateDetectionWindowMs: s.BUS_DUPLICATE_DETECTION_WINDOW_MS,
      sentIdsTable: s.BUS_SENT_IDS_TABLE,
    };
  }
  return {
    kind: 'servicebus',
    connectionString: s.ServiceBusConnection,
    fullyQualifiedNamespace: s.ServiceBusConnection__fullyQualifiedNamespace,
    queues,
  };
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
