import type { AuditLog } from '../audit/auditLog.js';
import type { DeadLetterStore } from '../bus/deadLetterStore.js';
import type { MessageBus, QueueProbe } from '../bus/port.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { WatermarkStore } from '../alerts/watermarkStore.js';
import type { AlertAssemblyStore } from '../alerts/assemblyStore.js';
import type { AlertFeed, DefenderApi } from '../defender/port.js';
import type { DeviceDirectoryStore } from '../devices/directoryStore.js';
import type { EvidenceLinks } from '../evidence/links.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { Logger } from '../log.js';
import type { Pacer } from '../pacing/pacer.js';
import type { LoadedPlaybook } from '../playbooks/schema.js';
import type { RunStore } from '../runs/store.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { OwedNotificationStore } from '../notify/owedStore.js';
import type { HealthProbes } from './health/probes.js';

/** Everything the services need, built once by the composition root. */
export interface Deps {
  config: Readonly<Config>;
  clock: Clock;
  /** Resolves once the clock reaches `atMs` (at once if it has). Used only for waits of a few seconds (the send lead). */
  waitUntil: (atMs: number) => Promise<void>;
  logger: Logger;
  bus: MessageBus;
  /** The bus's read-only look at each queue's depth and dead letters (GET /api/status). */
  queueProbe: QueueProbe;
  /** The dead letters of every queue (poison queues, and Service Bus's own dead-letter queues). */
  deadLetters: DeadLetterStore;
  runs: RunStore;
  evidence: EvidenceStore;
  /**
   * Signs evidence download links: user delegation SAS in Azure, Azurite's development key locally.
   * Undefined when the storage account can sign none (a connection string to any other account: its key never signs a link).
   */
  evidenceLinks?: EvidenceLinks;
  defender: DefenderApi;
  pacer: Pacer;
  /** The cached device directory (facts of every device Defender lists), refreshed by its timer. */
  devices: DeviceDirectoryStore;
  playbooks: readonly LoadedPlaybook[];
  /** Streamed alerts being assembled by AlertId across messages. */
  assemblies: AlertAssemblyStore;
  /** Recorded in every evidence item and manifest. */
  collectorVersion: string;
  /** The optional alert poller's source (needed only when ALERT_POLL_CRON is set). */
  alertFeed?: AlertFeed;
  /** The append-only audit log of operator actions. */
  audit: AuditLog;
  /** Where readers keep how far they have read: the alert poller's watermark, the reconciliation sweep's cursor. */
  watermarks: WatermarkStore;
  /** Notifications that could not be queued, kept until the reconciliation sweep queues them. */
  owedNotifications: OwedNotificationStore;
  /** The cheap checks GET /api/health runs (storage, bus, Defender token). */
  health: HealthProbes;
  /** The responder's own metrics (shared/telemetry/instruments.ts). Unset: nothing is recorded (unit tests, benchmarks). */
  metrics?: Metrics;
}
