import { TableClient } from '@azure/data-tables';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { readFileSync } from 'node:fs';
import { BlobEvidenceStore } from '../../shared/azure/blobEvidenceStore.js';
import { StorageQueueMessageBus } from '../../shared/azure/storageQueueBus.js';
import { TableRunStore } from '../../shared/azure/tableRunStore.js';
import { unscaled, type Clock } from '../../shared/clock.js';
import type { Config } from '../../shared/config.js';
import { DefenderClient } from '../../shared/defender/client.js';
import { DEFENDER_SCOPE, type TokenProvider } from '../../shared/defender/port.js';
import type { Logger } from '../../shared/log.js';
import type { CollectorDeps } from '../../shared/services/evidence/deps.js';

/**
 * The collector with its production adapters (Defender client, blob
 * evidence store, table run store, storage-queue bus) and nothing else: the
 * Service Bus and identity SDKs the composition root also loads play no part
 * in collecting, so they stay out of the memory being measured.
 */
export async function collectorStack(
  config: Readonly<Config>,
  clock: Clock,
  logger: Logger,
  credential: TokenProvider,
): Promise<{ deps: CollectorDeps; container: ContainerClient }> {
  if (config.storage.kind !== 'connectionString') throw new Error('the benchmark runs on Azurite (a connection string)');
  const connection = config.storage.connectionString;
  const container = BlobServiceClient.fromConnectionString(connection).getContainerClient(config.storage.evidenceContainer);
  const evidence = new BlobEvidenceStore(container, {
    blockSizeBytes: config.evidence.blockSizeBytes,
    maxConcurrency: config.evidence.uploadConcurrency,
    maxBlockMemoryBytes: config.evidence.instanceBlockMemoryBytes,
  });
  await evidence.ensureContainer();
  const runs = new TableRunStore(TableClient.fromConnectionString(connection, config.storage.runsTable, { allowInsecureConnection: true }));
  await runs.ensureTable();
  const bus = new StorageQueueMessageBus(QueueServiceClient.fromConnectionString(connection), config.bus.queues, clock, unscaled);
  await bus.ensureQueues();
  const defender = new DefenderClient({
    baseUrl: config.defender.baseUrl,
    credential,
    scope: DEFENDER_SCOPE,
    requestTimeoutMs: config.defender.requestTimeoutMs,
    defaultRetryAfterMs: config.defender.defaultRetryAfterMs,
    linkPolicy: { hostSuffixes: config.defender.linkHostSuffixes, allowHttpLoopback: config.defender.allowHttpLoopback },
  });
  return { deps: { config, clock, logger, bus, runs, evidence, defender, collectorVersion: packageVersion() }, container };
}

/** name@version from package.json (bench/evidence/ from source, dist/bench/evidence/ when compiled). */
function packageVersion(): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mde-live-response-responder') return `${pkg.name}@${pkg.version ?? '0.0.0'}`;
    } catch {
      // try the next location
    }
  }
  return 'mde-live-response-responder@unknown';
}
