/**
 * Runs the MessageBus contract against both adapters: Service Bus (the real
 * SDK against the AMQP broker double) and storage queues (Azurite, read by the
 * QueueConsumer, so early arrivals are waited out the way the local host does).
 */
import { randomUUID } from 'node:crypto';
import { ServiceBusClient } from '@azure/service-bus';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite } from '../../../local/azurite.js';
import { QueueConsumer } from '../../../local/queueConsumer.js';
import { ServiceBusMessageBus } from '../../../shared/azure/serviceBusBus.js';
import { StorageQueueMessageBus } from '../../../shared/azure/storageQueueBus.js';
import { QUEUE_NAMES } from '../../../shared/bus/queues.js';
import { type MessageProperties, type QueueName } from '../../../shared/bus/port.js';
import { ScaledClock, wallDelayFor } from '../../../shared/clock.js';
import { AmqpBrokerDouble } from '../../helpers/amqpBroker.js';
import { describeBusContract, type BusHarness, type Delivered } from './busContract.js';

function queueMap(prefix: string): Record<QueueName, string> {
  return Object.fromEntries(QUEUE_NAMES.map((q) => [q, `${prefix}-${q}`])) as Record<QueueName, string>;
}

describeBusContract('Service Bus (real SDK, AMQP broker double)', async (): Promise<BusHarness> => {
  const broker = await AmqpBrokerDouble.start();
  const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 10_000 } });
  const clock = new ScaledClock({ scale: 60 });
  const names = queueMap('sb');
  const bus = new ServiceBusMessageBus(client, names, clock, wallDelayFor(clock));
  const lists = new Map<QueueName, Delivered[]>();
  const subscriptions: { close(): Promise<void> }[] = [];
  return {
    bus,
    clock,
    physicalName: (q) => names[q],
    deliveries(queue) {
      const existing = lists.get(queue);
      if (existing) return existing;
      const list: Delivered[] = [];
      lists.set(queue, list);
      const receiver = client.createReceiver(names[queue]);
      receiver.subscribe(
        {
          processMessage: (m) => {
            list.push({
              body: m.body,
              messageId: String(m.messageId),
              properties: m.applicationProperties as MessageProperties,
              clockMs: clock.nowMs(),
            });
            return Promise.resolve();
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
  const names = queueMap(`c${randomUUID().slice(0, 8)}`);
  const bus = new StorageQueueMessageBus(service, names, clock, wallDelayFor(clock));
  await bus.ensureQueues();
  const consumer = new QueueConsumer(bus, { pollIntervalMs: 25 });
  const lists = new Map<QueueName, Delivered[]>();
  for (const queue of QUEUE_NAMES) {
    const list: Delivered[] = [];
    lists.set(queue, list);
    consumer.register(queue, (body, delivery) => {
      list.push({ body, messageId: delivery.messageId, properties: delivery.properties, clockMs: clock.nowMs() });
      return Promise.resolve();
    });
  }
  consumer.start();
  return {
    bus,
    clock,
    physicalName: (q) => names[q],
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
