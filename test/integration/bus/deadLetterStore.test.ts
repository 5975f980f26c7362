/**
 * Runs the DeadLetterStore contract against both adapters: storage queues on
 * Azurite, and Service Bus with the real SDK against the AMQP broker double
 * (poison queues, and native dead-letter queues filled the way Service Bus
 * fills them: a message abandoned `maxDeliveryCount` times).
 */
import { randomUUID } from 'node:crypto';
import { ServiceBusClient } from '@azure/service-bus';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { ServiceBusDeadLetterStore } from '../../../shared/azure/serviceBusDeadLetters.js';
import { ServiceBusMessageBus } from '../../../shared/azure/serviceBusBus.js';
import { StorageQueueDeadLetterStore } from '../../../shared/azure/storageQueueDeadLetters.js';
import { StorageQueueMessageBus } from '../../../shared/azure/storageQueueBus.js';
import { QUEUE_NAMES, type QueueName } from '../../../shared/bus/queues.js';
import { systemClock, unscaled } from '../../../shared/clock.js';
import { AmqpBrokerDouble } from '../../helpers/amqpBroker.js';
import { CONTRACT_PREVIEW_BYTES, describeDeadLetterStoreContract } from '../../contracts/deadLetterStore.contract.js';

const MAX_DELIVERY_COUNT = 3;
const limits = { previewBytes: CONTRACT_PREVIEW_BYTES, scanMax: 1_000 };

function queueMap(prefix: string): Record<QueueName, string> {
  return Object.fromEntries(QUEUE_NAMES.map((q) => [q, `${prefix}-${q}`])) as Record<QueueName, string>;
}

let azurite: RunningAzurite;
let broker: AmqpBrokerDouble;
let client: ServiceBusClient;
beforeAll(async () => {
  azurite = await startAzurite();
  broker = await AmqpBrokerDouble.start({ maxDeliveryCount: MAX_DELIVERY_COUNT });
  client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 10_000 } });
});
afterAll(async () => {
  await client?.close();
  await broker?.close();
  await azurite?.stop();
});

describeDeadLetterStoreContract('storage queues (Azurite)', async () => {
  const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  const names = queueMap(`d${randomUUID().slice(0, 8)}`);
  const bus = new StorageQueueMessageBus(service, names, systemClock, unscaled);
  await bus.ensureQueues();
  return {
    store: new StorageQueueDeadLetterStore(service, names, bus, limits),
    poison: (queue, body, reason) => bus.deadLetter(queue, body, reason),
    async arrived(queue) {
      const taken = await bus.receive(queue, 32, 30);
      for (const m of taken) await bus.complete(m);
      return taken.map((m) => ({ messageId: m.envelope?.messageId ?? '', body: m.envelope?.body }));
    },
  };
});

describeDeadLetterStoreContract('Service Bus (real SDK, AMQP broker double)', () => {
  const names = queueMap(`d${randomUUID().slice(0, 8)}`);
  const bus = new ServiceBusMessageBus(client, names, systemClock, unscaled);
  const taken = new Map<QueueName, number>();
  return Promise.resolve({
    store: new ServiceBusDeadLetterStore(client, names, bus, limits, () => new ServiceBusClient(broker.connectionString)),
    poison: (queue: QueueName, body: unknown, reason: Parameters<typeof bus.deadLetter>[2]) => bus.deadLetter(queue, body, reason),
    async native(queue: QueueName, body: unknown, messageId: string) {
      await bus.send(queue, { body, messageId });
      const receiver = client.createReceiver(names[queue]);
      try {
        for (let n = 0; n < MAX_DELIVERY_COUNT; n++) {
          const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
          if (!message) throw new Error(`no delivery ${n + 1} of ${messageId}`);
          await receiver.abandonMessage(message);
        }
      } finally {
        await receiver.close();
      }
    },
    arrived(queue: QueueName) {
      const all = broker.messagesIn(names[queue]).filter((m) => m.via === 'transfer' && m.messageId?.includes('.replay-'));
      const from = taken.get(queue) ?? 0;
      taken.set(queue, all.length);
      return Promise.resolve(all.slice(from).map((m) => ({ messageId: m.messageId ?? '', body: m.body })));
    },
  });
});
