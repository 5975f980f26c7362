/**
 * The read-only queue probe on Service Bus, under least privilege: the app
 * holds Data Sender and Data Receiver (Listen), not Manage, so the
 * administration client's runtime properties (exact counts) are closed to it
 * (a Listen-only credential is refused with 401; Azure/azure-service-bus#325).
 * A receiver may peek: peeking locks nothing and counts no delivery. So each
 * place (the queue, `<queue>-poison`, `<queue>/$DeadLetterQueue`) is peeked
 * up to `peekMax` messages: a count below the bound is exact, one at it is
 * "at least". The oldest ready message is the longest-waiting active one
 * peeked (scheduled messages are not late). The SDK keeps one peek position
 * per entity and client, so each look peeks over a client of its own,
 * closed after (its first peek starts at the front). Ages are wall time, the
 * broker's clock.
 */
import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import { poisonQueueName } from '../bus/poison.js';
import type { MessageCount, QueueLook, QueueName, QueueProbe } from '../bus/port.js';
import { messagesLook } from '../bus/queueLook.js';
import type { QueueMap } from '../bus/queues.js';
import { systemClock, type Clock } from '../clock.js';
import { translateServiceBusError } from './serviceBusBus.js';

/** Messages per peek request. */
const PEEK_BATCH = 100;

export class ServiceBusQueueProbe implements QueueProbe {
  constructor(
    /** Makes a client for one look; the probe closes it. */
    private readonly peekClient: () => ServiceBusClient,
    private readonly queues: QueueMap,
    /** Messages peeked at most per place and look (STATUS_PEEK_MAX). */
    private readonly peekMax: number,
    private readonly wallClock: Clock = systemClock,
  ) {}

  async look(queue: QueueName): Promise<QueueLook> {
    const name = this.queues[queue];
    const client = this.peekClient();
    try {
      const [active, poison, native] = await Promise.all([
        this.peekAll(client.createReceiver(name), name),
        this.peekAll(client.createReceiver(poisonQueueName(name)), poisonQueueName(name)),
        this.peekAll(client.createReceiver(name, { subQueueType: 'deadLetter' }), `${name}/$DeadLetterQueue`),
      ]);
      const ready = active.filter((m) => m.state === 'active');
      const dueMs = ready.map((m) => Math.max(m.enqueuedTimeUtc?.getTime() ?? 0, m.scheduledEnqueueTimeUtc?.getTime() ?? 0));
      const count = this.countOf(active);
      return {
        messages: messagesLook(count.count, count.countIs, dueMs, this.wallClock.nowMs(), count.countIs === 'exact'),
        deadLetters: { poison: this.countOf(poison), native: this.countOf(native) },
      };
    } finally {
      await client.close();
    }
  }

  /** Peeks `receiver`'s entity from its front until it is empty or `peekMax` messages were seen; closes the receiver. */
  private async peekAll(receiver: ServiceBusReceiver, entity: string): Promise<ServiceBusReceivedMessage[]> {
    const seen: ServiceBusReceivedMessage[] = [];
    try {
      while (seen.length < this.peekMax) {
        const batch = await guard(`peeking ${entity}`, () => receiver.peekMessages(Math.min(PEEK_BATCH, this.peekMax - seen.length)));
        if (batch.length === 0) break;
        seen.push(...batch);
      }
      return seen;
    } finally {
      await receiver.close();
    }
  }

  private countOf(messages: readonly ServiceBusReceivedMessage[]): MessageCount {
    return { count: messages.length, countIs: messages.length >= this.peekMax ? 'atLeast' : 'exact' };
  }
}

async function guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateServiceBusError(error, what);
  }
}
