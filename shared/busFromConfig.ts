import type { TokenCredential } from '@azure/core-auth';
import { QueueServiceClient } from '@azure/storage-queue';
import { requiredCredential, tableClient } from './azure/clientsFromConfig.js';
import { StorageQueueMessageBus } from './azure/storageQueueBus.js';
import { StorageQueueDeadLetterStore } from './azure/storageQueueDeadLetters.js';
import { StorageQueueProbe } from './azure/storageQueueProbe.js';
import { TableSentIds } from './azure/tableSentIds.js';
import type { DeadLetterStore } from './bus/deadLetterStore.js';
import type { MessageBus, QueueProbe } from './bus/port.js';
import { wallDelayFor, type Clock } from './clock.js';
import type { Config } from './config.js';

/** The message bus the settings name, with its dead-letter store and queue probe. */
export interface BuiltBus {
  bus: MessageBus;
  deadLetters: DeadLetterStore;
  queueProbe: QueueProbe;
  /** Set for the local bus only: the local host drives its consumer. */
  storageQueueBus?: StorageQueueMessageBus;
  closeBus: () => Promise<void>;
}

/**
 * Builds the bus of `config.bus.kind`: storage queues (their duplicate
 * detection in a table), or Service Bus, whose SDK loads only then. Called
 * by the composition root (composition.ts) alone.
 */
export async function buildBus(
  config: Readonly<Config>,
  clock: Clock,
  azureCredential: TokenCredential | undefined,
  wrapQueueService: (service: QueueServiceClient) => QueueServiceClient = (service) => service,
): Promise<BuiltBus> {
  const wallDelay = wallDelayFor(clock);
  if (config.bus.kind === 'storage-queues') {
    const queueService = wrapQueueService(
      config.storage.kind === 'connectionString'
        ? QueueServiceClient.fromConnectionString(config.storage.connectionString)
        : new QueueServiceClient(config.storage.queueUri ?? '', azureCredential),
    );
    const sentIds = new TableSentIds(
      tableClient(config, config.bus.sentIdsTable, azureCredential),
      clock,
      config.bus.duplicateDetectionWindowMs,
    );
    const bus = new StorageQueueMessageBus(queueService, config.bus.queues, clock, wallDelay, sentIds);
    await bus.ensureQueues();
    const deadLetters = new StorageQueueDeadLetterStore(queueService, config.bus.queues, bus, config.deadLetters);
    const queueProbe = new StorageQueueProbe(queueService, config.bus.queues, clock);
    return { bus, deadLetters, queueProbe, storageQueueBus: bus, closeBus: () => Promise.resolve() };
  }
  const { ServiceBusClient } = await import('@azure/service-bus');
  const { ServiceBusMessageBus } = await import('./azure/serviceBusBus.js');
  const { ServiceBusDeadLetterStore } = await import('./azure/serviceBusDeadLetters.js');
  const { ServiceBusQueueProbe } = await import('./azure/serviceBusQueueProbe.js');
  const { connectionString, fullyQualifiedNamespace } = config.bus;
  const newClient = (): InstanceType<typeof ServiceBusClient> =>
    connectionString
      ? new ServiceBusClient(connectionString)
      : new ServiceBusClient(fullyQualifiedNamespace ?? '', requiredCredential(azureCredential));
  const client = newClient();
  const bus = new ServiceBusMessageBus(client, config.bus.queues, clock, wallDelay);
  return {
    bus,
    deadLetters: new ServiceBusDeadLetterStore(client, config.bus.queues, bus, config.deadLetters, newClient),
    queueProbe: new ServiceBusQueueProbe(newClient, config.bus.queues, config.operatorApi.statusPeekMax),
    closeBus: async () => {
      await bus.close();
      await client.close();
    },
  };
}
