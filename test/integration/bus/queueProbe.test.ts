/**
 * Runs the QueueProbe contract against both bus adapters: storage queues on
 * Azurite, and Service Bus with the real SDK against the AMQP broker double
 * (its native dead-letter queue filled the way Service Bus fills it: a
 * message abandoned `maxDeliveryCount` times).
 */
import { randomUUID } from 'node:crypto';
import { ServiceBusClient } from '@azure/service-bus';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite } from '../../../local/azurite.js';
import { ServiceBusMessageBus } from '../../../shared/azure/serviceBusBus.js';
import { ServiceBusQueueProbe } from '../../../shared/azure/serviceBusQueueProbe.js';
import { StorageQueueMessageBus } from '../../../shared/azure/storageQueueBus.js';
import { StorageQueueProbe } from '../../../shared/azure/storageQueueProbe.js';
import { QUEUE_NAMES, type QueueName } from '../../../shared/bus/queues.js';
import { ManualClock, systemClock, unscaled } from '../../../shared/clock.js';
import { AmqpBrokerDouble } from '../../helpers/amqpBroker.js';
import { describeQueueProbeContract } from '../../contracts/queueProbe.contract.js';

const MAX_DELIVERY_COUNT = 3;
/** Small, so the bounded case sends a handful of messages. */
const PEEK_MAX = 3;

function queueMap(prefix: string): Record<QueueName, string> {
  return Object.fromEntries(QUEUE_NAMES.map((q) => [q, `${prefix}-${q}`])) as Record<QueueName, string>;
}

describeQueueProbeContract('storage queues (Azurite)', async () => {
  const azurite = await startAzurite();
  const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  const names = queueMap(`p${randomUUID().slice(0, 8)}`);
  const clock = new ManualClock(Date.now());
  const bus = new StorageQueueMessageBus(service, names, clock, unscaled);
  await bus.ensureQueues();
  return {
    probe: new StorageQueueProbe(service, names, clock),
    bus,
    nowMs: () => clock.nowMs(),
    age: (ms) => clock.advance(ms),
    lookBound: 32,
    deliverable: async (queue) => (await bus.receive(queue, 32, 30)).length,
    close: () => azurite.stop(),
  };
});

describeQueueProbeContract('Service Bus (real SDK, AMQP broker double)', async () => {
  const broker = await AmqpBrokerDouble.start({ maxDeliveryCount: MAX_DELIVERY_COUNT });
  const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 10_000 } });
  const names = queueMap(`p${randomUUID().slice(0, 8)}`);
  const bus = new ServiceBusMessageBus(client, names, systemClock, unscaled);
  let skewMs = 0;
  const wallClock = { nowMs: () => Date.now() + skewMs };
  return {
    probe: new ServiceBusQueueProbe(() => new ServiceBusClient(broker.connectionString), names, PEEK_MAX, wallClock),
    bus,
    nowMs: () => Date.now(),
    age: (ms) => void (skewMs += ms),
    lookBound: PEEK_MAX,
    async nativeDeadLetter(queue) {
      await bus.send(queue, { body: { native: true }, messageId: `native-${queue}` });
      const receiver = client.createReceiver(names[queue]);
      try {
        for (let n = 0; n < MAX_DELIVERY_COUNT; n++) {
          const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
          if (!message) throw new Error(`no delivery ${n + 1}`);
          await receiver.abandonMessage(message);
        }
      } finally {
        await receiver.close();
      }
    },
    deliverable: (queue) => Promise.resolve(broker.messagesIn(names[queue]).filter((m) => m.state === 'ready').length),
    async close() {
      await bus.close();
      await client.close();
      await broker.close();
    },
  };
});
