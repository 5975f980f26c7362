/**
 * The read-only queue probe on Azure Storage queues: each queue's and its
 * poison queue's approximate message count (one Get Queue Metadata call
 * each), and a peek at the queue's first visible messages (at most 32, the
 * service's limit) for the oldest ready one. Peeking hides nothing and
 * changes no dequeue count. Ages are on the responder's clock, which the
 * envelope's times are on.
 */
import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { poisonQueueName } from '../bus/poison.js';
import type { QueueLook, QueueName, QueueProbe } from '../bus/port.js';
import { messagesLook } from '../bus/queueLook.js';
import type { QueueMap } from '../bus/queues.js';
import type { Clock } from '../clock.js';
import { decodeEnvelope } from './queueEnvelope.js';
import { translateStorageError } from './storageErrors.js';

/** The most messages a storage queue lets one peek see. */
const PEEK_LIMIT = 32;

export class StorageQueueProbe implements QueueProbe {
  constructor(
    private readonly service: QueueServiceClient,
    private readonly queues: QueueMap,
    private readonly clock: Clock,
  ) {}

  async look(queue: QueueName): Promise<QueueLook> {
    const client = this.service.getQueueClient(this.queues[queue]);
    const [count, peeked, poison] = await Promise.all([
      approximateCount(client),
      guard(`peeking ${client.name}`, () => client.peekMessages({ numberOfMessages: PEEK_LIMIT })),
      approximateCount(this.service.getQueueClient(poisonQueueName(this.queues[queue]))),
    ]);
    const items = peeked.peekedMessageItems;
    // When each became due: sent, or its notBeforeMs reached (an unreadable message is due since it was inserted).
    const dueMs = items.map((item) => {
      const decoded = decodeEnvelope(item.messageText);
      return 'envelope' in decoded ? Math.max(decoded.envelope.enqueuedMs, decoded.envelope.notBeforeMs ?? 0) : item.insertedOn.getTime();
    });
    return {
      messages: messagesLook(count, 'approximate', dueMs, this.clock.nowMs(), items.length < PEEK_LIMIT),
      deadLetters: { poison: { count: poison, countIs: 'approximate' } },
    };
  }
}

async function approximateCount(client: QueueClient): Promise<number> {
  const properties = await guard(`reading ${client.name}'s properties`, () => client.getProperties());
  return properties.approximateMessagesCount ?? 0;
}

async function guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateStorageError(error, what);
  }
}
