import { BlobServiceClient } from '@azure/storage-blob';
import type { QueueServiceClient } from '@azure/storage-queue';
import { readFileSync } from 'node:fs';
import { BlobEvidenceStore } from './azure/blobEvidenceStore.js';
import { DevelopmentKeyEvidenceLinks } from './azure/developmentKeyEvidenceLinks.js';
import { UserDelegationEvidenceLinks } from './azure/userDelegationEvidenceLinks.js';
import type { StorageQueueMessageBus } from './azure/storageQueueBus.js';
import { TableRunStore } from './azure/tableRunStore.js';
import { tableClient } from './azure/clientsFromConfig.js';
import { buildBus } from './busFromConfig.js';
import { cachedQueueProbe } from './bus/cachedQueueProbe.js';
import { systemClock, waiterFor, type Clock } from './clock.js';
import type { Config } from './config.js';
import { DefenderClient } from './defender/client.js';
import type { TokenProvider } from './defender/port.js';
import { createLogger, jsonLinesSink, type Logger } from './log.js';
import { BudgetedDefenderApi, payStatusCall } from './pacing/budgetedDefender.js';
import { pacingLimitsOf } from './pacing/limits.js';
import { Pacer, type PacingStore } from './pacing/pacer.js';
import { TablePacingStore } from './azure/tablePacingStore.js';
import { TableWatermarkStore } from './azure/tableWatermarkStore.js';
import { TableOwedNotificationStore } from './azure/tableOwedNotificationStore.js';
import { TableAuditLog } from './azure/tableAuditLog.js';
import { TableDeviceDirectoryStore } from './azure/tableDeviceDirectoryStore.js';
import { TableAlertAssemblyStore } from './azure/tableAlertAssemblyStore.js';
import { loadPlaybooks } from './playbooks/loader.js';
import { deadLetterService, type DeadLetterService } from './services/deadLetters/deadLetters.js';
import { createServices, type Services } from './services/index.js';
import type { Metrics } from './telemetry/metrics.js';
import { pacingGaugeReader } from './telemetry/pacingGauges.js';
import { owedGaugeReader } from './telemetry/owedGauges.js';

/** What the caller may supply instead of the production defaults. */
export interface Overrides {
  clock?: Clock;
  /** Default: DefaultAzureCredential (managed identity in Azure). */
  credential?: TokenProvider;
  logger?: Logger;
  /** The HTTP client the Defender client uses (tests record calls with it). */
  fetch?: typeof fetch;
  /** Where the responder's metrics go (the hosts start the exporter). Default: none recorded. */
  metrics?: Metrics;
  /** Wraps the tenant-wide pacing store (benchmarks count its reads and writes). */
  wrapPacingStore?: (store: PacingStore) => PacingStore;
  /** Wraps the storage-queue service of the local bus (the intake benchmark keeps one queue on an emulator of its own). */
  wrapQueueService?: (service: QueueServiceClient) => QueueServiceClient;
}

export interface BuiltApp {
  services: Services;
  /** Set for the local bus only: the local host drives its consumer. */
  storageQueueBus?: StorageQueueMessageBus;
}

/**
 * The one composition root: config + SDK clients in, services out. The
 * Function App, the local host, the benchmarks and the tests all build the
 * app here.
 */
export async function buildApp(config: Readonly<Config>, overrides: Overrides = {}): Promise<BuiltApp> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(jsonLinesSink('info'));
  // The identity and Service Bus SDKs load only when the configuration needs them (about 45 MiB of a local process).
  const azureCredential = needsAzureCredential(config, overrides)
    ? new (await import('@azure/identity')).DefaultAzureCredential()
    : undefined;
  const credential = overrides.credential ?? azureCredential;
  if (!credential) throw new Error('no credential for the Defender API');

  const blobService =
    config.storage.kind === 'connectionString'
      ? BlobServiceClient.fromConnectionString(config.storage.connectionString)
      : new BlobServiceClient(config.storage.blobUri, azureCredential);
  const evidenceContainer = blobService.getContainerClient(config.storage.evidenceContainer);
  const evidence = new BlobEvidenceStore(evidenceContainer, {
    blockSizeBytes: config.evidence.blockSizeBytes,
    maxConcurrency: config.evidence.uploadConcurrency,
    maxBlockMemoryBytes: config.evidence.instanceBlockMemoryBytes,
  });
  await evidence.ensureContainer();
  // Download links: user delegation SAS with the identity in Azure; Azurite's development key locally, and no other
  // account key ever (a connection string to a real account signs none). Their expiry is on the wall clock.
  const evidenceLinks =
    config.storage.kind === 'connectionString'
      ? DevelopmentKeyEvidenceLinks.forAzurite(config.storage.connectionString, evidenceContainer)
      : new UserDelegationEvidenceLinks(blobService, config.storage.evidenceContainer);
  const runs = new TableRunStore(tableClient(config, config.storage.runsTable, azureCredential));
  await runs.ensureTable();
  const pacingStore = new TablePacingStore(tableClient(config, config.storage.pacingTable, azureCredential));
  await pacingStore.ensureTable();
  const pacer = new Pacer(overrides.wrapPacingStore?.(pacingStore) ?? pacingStore, clock, pacingLimitsOf(config));
  const { metrics } = overrides;
  // Sessions in use and the status budget left: read from the pacing record once per export, not per event.
  metrics?.observeGauges(pacingGaugeReader(pacer, clock));
  // The alert poller's watermark and the reconciliation sweep's cursor.
  const watermarks = new TableWatermarkStore(tableClient(config, config.storage.watermarkTable, azureCredential));
  await watermarks.ensureTable();
  // Notifications that could not be queued (empty while the bus takes them all).
  const owedNotifications = new TableOwedNotificationStore(tableClient(config, config.notify.owedTable, azureCredential));
  await owedNotifications.ensureTable();
  metrics?.observeGauges(owedGaugeReader(owedNotifications, clock, config.operatorApi.statusOwedCountMax));
  const audit = new TableAuditLog(tableClient(config, config.storage.auditTable, azureCredential));
  await audit.ensureTable();
  const devices = new TableDeviceDirectoryStore(tableClient(config, config.storage.deviceDirectoryTable, azureCredential));
  await devices.ensureTable();
  const assemblies = new TableAlertAssemblyStore(tableClient(config, config.storage.assemblyTable, azureCredential));
  await assemblies.ensureTable();

  const { bus, storageQueueBus, deadLetters, queueProbe, closeBus } = await buildBus(
    config,
    clock,
    azureCredential,
    overrides.wrapQueueService,
  );
  const client = new DefenderClient({
    baseUrl: config.defender.baseUrl,
    credential,
    scope: config.defender.scope,
    requestTimeoutMs: config.defender.requestTimeoutMs,
    defaultRetryAfterMs: config.defender.defaultRetryAfterMs,
    linkPolicy: { hostSuffixes: config.defender.linkHostSuffixes, allowHttpLoopback: config.defender.allowHttpLoopback },
    fetch: overrides.fetch,
    // A list's further pages are paid from the same budget as its first.
    payForExtraCall: (what) => payStatusCall(pacer, what),
    logger,
    ...(metrics ? { metrics } : {}),
  });
  // Every status-class call is paid for from the tenant-wide budget first.
  const defender = new BudgetedDefenderApi(client, pacer);
  const playbooks = await loadPlaybooks(config.playbooksDir);
  const services = createServices(
    {
      config,
      clock,
      waitUntil: waiterFor(clock),
      logger,
      bus,
      deadLetters,
      queueProbe: cachedQueueProbe(queueProbe, clock, config.operatorApi.statusQueueLookCacheMs),
      runs,
      evidence,
      ...(evidenceLinks ? { evidenceLinks } : {}),
      defender,
      pacer,
      devices,
      playbooks,
      assemblies,
      collectorVersion: collectorVersion(),
      ...(metrics ? { metrics } : {}),
      alertFeed: defender,
      watermarks,
      owedNotifications,
      audit,
      health: {
        storage: async () => {
          await runs.listRuns({ limit: 1 });
        },
        ...(storageQueueBus ? { bus: () => storageQueueBus.probe() } : {}),
        defenderToken: async () => {
          if (!(await credential.getToken(config.defender.scope))) throw new Error('the credential gave no token');
        },
      },
    },
    closeBus,
  );
  logger.log('info', 'responder ready', {
    playbooks: playbooks.length,
    bus: config.bus.kind,
    defender: new URL(config.defender.baseUrl).host,
  });
  return { services, storageQueueBus };
}

/**
 * The dead-letter operations alone (`npm run deadletters`): the bus and its
 * dead-letter store from the same settings, nothing else (no Defender
 * credential, tables or playbooks). Close it when done.
 */
export async function buildDeadLetterService(
  config: Readonly<Config>,
  overrides: Pick<Overrides, 'clock' | 'logger'> = {},
): Promise<{ service: DeadLetterService; close: () => Promise<void> }> {
  const needsCredential = config.storage.kind === 'identity' || (config.bus.kind === 'servicebus' && !config.bus.connectionString);
  const azureCredential = needsCredential ? new (await import('@azure/identity')).DefaultAzureCredential() : undefined;
  const { deadLetters, closeBus } = await buildBus(config, overrides.clock ?? systemClock, azureCredential);
  const logger = overrides.logger ?? createLogger(jsonLinesSink('info'));
  return { service: deadLetterService({ deadLetters, logger }), close: closeBus };
}

function needsAzureCredential(config: Readonly<Config>, overrides: Overrides): boolean {
  return !overrides.credential || config.storage.kind === 'identity' || (config.bus.kind === 'servicebus' && !config.bus.connectionString);
}

let version: string | undefined;
export function collectorVersion(): string {
  // shared/ when run from source, dist/shared/ when compiled.
  for (const candidate of ['../package.json', '../../package.json']) {
    if (version) break;
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mde-live-response-responder') version = `${pkg.name}@${pkg.version ?? '0.0.0'}`;
    } catch {
      // try the next location
    }
  }
  return version ?? 'mde-live-response-responder@unknown';
}
