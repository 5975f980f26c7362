/**
 * Runs the MessageBus contract against both adapters: Service Bus (the real
 * SDK against the AMQP broker double, its queues created with duplicate
 * detection, a short lock and a maxDeliveryCount) and storage queues (Azurite,
 * read by the QueueConsumer, so early arrivals are waited out the way the
 * local host does, with duplicate detection in a table).
 */
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { ServiceBusClient } from '@azure/service-bus';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite } from '../../../local/azurite.js';
import { QueueConsumer } from '../../../local/queueConsumer.js';
import { ServiceBusMessageBus } from '../../../shared/azure/serviceBusBus.js';
import { StorageQueueMessageBus } from '../../../shared/azure/storageQueueBus.js';
import { TableSentIds } from '../../../shared/azure/tableSentIds.js';
import { QUEUE_NAMES } from '../../../shared/bus/queues.js';
import { type MessageProperties, type QueueName } from '../../../shared/bus/port.js';
import { ScaledClock, wallDelayFor } from '../../../shared/clock.js';
import { AmqpBrokerDouble } from '../../helpers/amqpBroker.js';
import { describeBusContract, type Behaviour, type BusHarness, type Delivered } from './busContract.js';

/** Small, so the contract's failure cases take seconds. */
const MAX_DELIVERY_COUNT = 3;
const LOCK_WALL_MS = 2_000;
/** Service Bus's default duplicate detection window. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;

function queueMap(prefix: string): Record<QueueName, string> {
  return Object.fromEntries(QUEUE_NAMES.map((q) => [q, `${prefix}-${q}`])) as Record<QueueName, string>;
}

describeBusContract('Service Bus (real SDK, AMQP broker double)', async (): Promise<BusHarness> => {
  const broker = await AmqpBrokerDouble.start({
    maxDeliveryCount: MAX_DELIVERY_COUNT,
    lockDurationMs: LOCK_WALL_MS,
    duplicateDetection: { windowMs: DUPLICATE_WINDOW_MS },
  });
  const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 10_000 } });
  const clock = new ScaledClock({ scale: 60 });
  const names = queueMap('sb');
  const bus = new ServiceBusMessageBus(client, names, clock, wallDelayFor(clock));
  const lists = new Map<QueueName, Delivered[]>();
  const behaviours = new Map<QueueName, Behaviour>();
  const subscriptions: { close(): Promise<void> }[] = [];
  return {
    bus,
    clock,
    maxDeliveryCount: MAX_DELIVERY_COUNT,
    lockWallMs: LOCK_WALL_MS,
    physicalName: (q) => names[q],
    behave: (queue, behaviour) => void behaviours.set(queue, behaviour),
    deadLettered: (queue) =>
      Promise.resolve(
        broker
          .messagesIn(`${names[queue]}/$DeadLetterQueue`)
          .map((m) => ({ messageId: m.messageId, reason: m.applicationProperties.DeadLetterReason })),
      ),
    deliveries(queue) {
      const existing = lists.get(queue);
      if (existing) return existing;
      const list: Delivered[] = [];
      lists.set(queue, list);
      // As the Functions trigger past maxAutoLockRenewalDuration: no renewal, so a long handler's lock expires.
      const receiver = client.createReceiver(names[queue], { maxAutoLockRenewalDurationInMs: 0 });
      receiver.subscribe(
        {
          processMessage: async (m) => {
            const delivered: Delivered = {
              body: m.body,
              messageId: String(m.messageId),
              properties: m.applicationProperties as MessageProperties,
              clockMs: clock.nowMs(),
              // The double's AMQP header counts the earlier attempts; the SDK passes it on as is.
              deliveryCount: (m.deliveryCount ?? 0) + 1,
              wallMs: Date.now(),
            };
            list.push(delivered);
            await behaviours.get(queue)?.(delivered);
          },
          processError: () => Promise.resolve(),
        },
        { autoCompleteMessages: true },
      );
      subscriptions.push(receiver);
      return list;
    },
    poisoned: (queue) =>
      Promise.resolve(
        broker.messagesIn(`${names[queue]}-poison`).map((m) => ({
          body: m.body,
          messageId: m.messageId,
          properties: m.applicationProperties,
        })),
      ),
    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
      await bus.close();
      await client.close();
      await broker.close();
    },
  };
});

describeBusContract('Storage queues (Azurite, QueueConsumer)', async (): Promise<BusHarness> => {
  const azurite = await startAzurite();
  const clock = new ScaledClock({ scale: 60 });
  const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  const prefix = `c${randomUUID().slice(0, 8)}`;
  const names = queueMap(prefix);
  const table = TableClient.fromConnectionString(azurite.connectionString, `${prefix}sent`, { allowInsecureConnection: true });
  const bus = new StorageQueueMessageBus(service, names, clock, wallDelayFor(clock), new TableSentIds(table, clock, DUPLICATE_WINDOW_MS));
  await bus.ensureQueues();
  const consumer = new QueueConsumer(bus, { pollIntervalMs: 25, maxDeliveryCount: MAX_DELIVERY_COUNT, lockSeconds: LOCK_WALL_MS / 1000 });
  const lists = new Map<QueueName, Delivered[]>();
  const behaviours = new Map<QueueName, Behaviour>();
  for (const queue of QUEUE_NAMES) {
    const list: Delivered[] = [];
    lists.set(queue, list);
    consumer.register(queue, async (body, delivery) => {
      const delivered: Delivered = {
        body,
        messageId: delivery.messageId,
        properties: delivery.properties,
        clockMs: clock.nowMs(),
        deliveryCount: delivery.deliveryCount,
        wallMs: Date.now(),
      };
      list.push(delivered);
      await behaviours.get(queue)?.(delivered);
    });
  }
  consumer.start();
  return {
    bus,
    clock,
    maxDeliveryCount: MAX_DELIVERY_COUNT,
    lockWallMs: LOCK_WALL_MS,
    physicalName: (q) => names[q],
    behave: (queue, behaviour) => void behaviours.set(queue, behaviour),
    deadLettered: async (queue) =>
      (await bus.peekPoison(queue)).map(({ envelope }) => ({
        messageId: envelope?.messageId,
        reason: envelope?.properties.deadLetterReason,
      })),
    deliveries: (queue) => lists.get(queue) ?? [],
    poisoned: async (queue) =>
      (await bus.peekPoison(queue)).map(({ envelope }) => ({
        body: envelope?.body,
        messageId: envelope?.messageId,
        properties: envelope?.properties ?? {},
      })),
    async close() {
      await consumer.stop();
      await azurite.stop();
    },
  };
});
