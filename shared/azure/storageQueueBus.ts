/**
 * The message port on Azure Storage queues: Azurite locally (the default),
 * or a real storage account.
 *
 * Design notes:
 * - **Envelope.** Storage queues carry only text, so each message is base64 of
 *   a JSON envelope `{messageId, properties, body, notBeforeMs?, enqueuedMs,
 *   deferrals?}`. Base64 is what the Functions queue trigger decodes by
 *   default, so the same queues could feed Functions too.
 * - **Scheduling.** A future `notBeforeMs` (responder clock) becomes an initial
 *   `visibilityTimeout` of floor(wallDelay(remaining) / 1000) seconds: storage
 *   counts whole seconds, so a message may surface up to a second early, never
 *   late, and the consumer waits out the remainder. Delays over 7 days (the
 *   service's limit) are clamped; the consumer re-hides messages that surface
 *   early. `deferrals` counts those re-hides so they do not read as failed
 *   deliveries (storage's `dequeueCount` counts every receive).
 * - **Poison.** Rejected messages go to `<queue>-poison` with their reason, as
 *   on Service Bus; nothing is deleted before its copy is sent.
 * - Messages never expire (`messageTimeToLive: -1`): an unprocessed message
 *   stays until it is handled or poisoned.
 * - **Duplicate detection**, as on Service Bus queues created with it: with a
 *   {@link TableSentIds}, a second send of one message id to one queue
 *   (poison queues included) within the window is dropped silently.
 */
import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { DeadLetterReason, MessageBus, OutgoingMessage, QueueName } from '../bus/port.js';
import { poisonMessage, poisonQueueName } from '../bus/poison.js';
import { QUEUE_NAMES, type QueueMap } from '../bus/queues.js';
import type { Clock, WallDelay } from '../clock.js';
import { PermanentError } from '../errors.js';
import { decodeEnvelope, encodeEnvelope, type QueueEnvelope } from './queueEnvelope.js';
import { translateStorageError } from './storageErrors.js';
import type { TableSentIds } from './tableSentIds.js';

export { decodeEnvelope, encodeEnvelope, type QueueEnvelope } from './queueEnvelope.js';

/** The service's limit for a visibility timeout: 7 days, in seconds. */
export const MAX_VISIBILITY_SECONDS = 7 * 24 * 60 * 60;
/** The service's limit for a message's text. */
const MAX_MESSAGE_BYTES = 64 * 1024;

interface ReceivedBase {
  queue: QueueName;
  /** The storage service's message id (not the envelope's). */
  storageMessageId: string;
  popReceipt: string;
  /** Receives so far, this one included (storage counts every receive). */
  dequeueCount: number;
}
/** A received message; `envelope` is undefined when the text was not a valid envelope. */
export type ReceivedQueueMessage =
  | (ReceivedBase & { envelope: QueueEnvelope; problem?: undefined })
  | (ReceivedBase & { envelope: undefined; problem: string; text: string });

/** Told, after every send (or re-hide) in this process, which storage queue and when (wall ms) the message becomes visible. */
export type QueueSendListener = (storageQueue: string, visibleAtWallMs: number) => void;
const sendListeners = new Set<QueueSendListener>();

/**
 * Subscribes to every send made through any StorageQueueMessageBus in this
 * process, so a local consumer can poll when a message becomes visible
 * instead of polling all the time. A notice about a same-named queue of
 * another account costs one poll, nothing more. Returns the unsubscribe.
 */
export function onQueueSend(listener: QueueSendListener): () => void {
  sendListeners.add(listener);
  return () => void sendListeners.delete(listener);
}

function notifySent(storageQueue: string, visibleAtWallMs: number): void {
  for (const listener of sendListeners) listener(storageQueue, visibleAtWallMs);
}

export class StorageQueueMessageBus implements MessageBus {
  /**
   * @param service injected; may point at Azurite or a storage account.
   * @param queues the storage queue for each port queue; poison queues are `<name>-poison`.
   * @param clock the responder's clock (`notBeforeMs` is on it).
   * @param wallDelay converts a span of that clock into wall-clock ms.
   * @param sentIds duplicate detection; omitted: every send is delivered.
   */
  constructor(
    private readonly service: QueueServiceClient,
    readonly queues: QueueMap,
    readonly clock: Clock,
    readonly wallDelay: WallDelay,
    private readonly sentIds?: TableSentIds,
  ) {}

  /** Creates every queue and its poison queue, and the sent-ids table (idempotent). */
  async ensureQueues(): Promise<void> {
    const names = QUEUE_NAMES.flatMap((q) => [this.queues[q], this.poisonName(q)]);
    for (const name of names) {
      await guard(`creating queue ${name}`, () => this.service.getQueueClient(name).createIfNotExists());
    }
    await this.sentIds?.ensureTable();
  }

  /** The health check: the alerts queue's properties (one cheap read). */
  async probe(): Promise<void> {
    await guard('reading the alerts queue', () => this.service.getQueueClient(this.queues.alerts).getProperties());
  }

  async send(queue: QueueName, message: OutgoingMessage): Promise<void> {
    const envelope: QueueEnvelope = {
      messageId: message.messageId,
      properties: { ...message.properties },
      body: message.body,
      enqueuedMs: this.clock.nowMs(),
    };
    if (message.notBeforeMs !== undefined) envelope.notBeforeMs = message.notBeforeMs;
    const remainingMs = (message.notBeforeMs ?? 0) - this.clock.nowMs();
    const seconds = remainingMs > 0 ? Math.floor(this.wallDelay(remainingMs) / 1000) : 0;
    await this.put(this.client(queue), envelope, Math.min(seconds, MAX_VISIBILITY_SECONDS), `send ${message.messageId} to ${queue}`);
  }

  /** Sends `body`, verbatim, to `<queue>-poison` with the reason in the envelope's properties. */
  async deadLetter(queue: QueueName, body: unknown, reason: DeadLetterReason): Promise<void> {
    const { messageId, properties } = poisonMessage(this.queues[queue], body, reason);
    const envelope: QueueEnvelope = { messageId, properties, body, enqueuedMs: this.clock.nowMs() };
    const poison = this.service.getQueueClient(this.poisonName(queue));
    await this.put(poison, envelope, 0, `dead-letter ${messageId} from ${queue}`);
  }

  /** Receives up to `max` (1-32) messages, hiding them for `lockSeconds` (at least 1) while they are handled. */
  async receive(queue: QueueName, max: number, lockSeconds: number): Promise<ReceivedQueueMessage[]> {
    const numberOfMessages = Math.max(1, Math.min(32, Math.floor(max)));
    const response = await guard(`receiving from ${queue}`, () =>
      this.client(queue).receiveMessages({ numberOfMessages, visibilityTimeout: Math.max(1, clampSeconds(lockSeconds)) }),
    );
    return response.receivedMessageItems.map((item) => {
      const base = { queue, storageMessageId: item.messageId, popReceipt: item.popReceipt, dequeueCount: item.dequeueCount };
      const decoded = decodeEnvelope(item.messageText);
      return 'envelope' in decoded
        ? { ...base, envelope: decoded.envelope }
        : { ...base, envelope: undefined, problem: decoded.problem, text: item.messageText };
    });
  }

  /** Deletes a handled message. */
  async complete(message: ReceivedQueueMessage): Promise<void> {
    await guard(`deleting message from ${message.queue}`, () =>
      this.client(message.queue).deleteMessage(message.storageMessageId, message.popReceipt),
    );
  }

  /**
   * Makes a received message invisible for `wallSeconds` more (retry backoff,
   * or re-hiding one that surfaced early), optionally rewriting its envelope.
   * Returns the message with its new pop receipt.
   */
  async hide(message: ReceivedQueueMessage, wallSeconds: number, envelope?: QueueEnvelope): Promise<ReceivedQueueMessage> {
    const text = envelope ? encodeEnvelope(envelope) : undefined;
    const response = await guard(`updating message visibility on ${message.queue}`, () =>
      this.client(message.queue).updateMessage(message.storageMessageId, message.popReceipt, text, clampSeconds(wallSeconds)),
    );
    notifySent(this.client(message.queue).name, Date.now() + clampSeconds(wallSeconds) * 1000);
    const popReceipt = response.popReceipt ?? message.popReceipt;
    return envelope && message.envelope ? { ...message, popReceipt, envelope } : { ...message, popReceipt };
  }

  /** Looks at (without receiving) up to `max` (1-32) messages of `<queue>-poison`. */
  async peekPoison(queue: QueueName, max = 32): Promise<{ envelope?: QueueEnvelope; problem?: string }[]> {
    const name = this.poisonName(queue);
    const response = await guard(`peeking ${name}`, () =>
      this.service.getQueueClient(name).peekMessages({ numberOfMessages: Math.max(1, Math.min(32, max)) }),
    );
    return response.peekedMessageItems.map((item) => decodeEnvelope(item.messageText));
  }

  /** The storage queue name of `<queue>-poison`. */
  poisonName(queue: QueueName): string {
    return poisonQueueName(this.queues[queue]);
  }

  private client(queue: QueueName): QueueClient {
    return this.service.getQueueClient(this.queues[queue]);
  }

  private async put(client: QueueClient, envelope: QueueEnvelope, visibilitySeconds: number, what: string): Promise<void> {
    const text = encodeEnvelope(envelope);
    if (text.length > MAX_MESSAGE_BYTES) {
      throw new PermanentError(`${what}: message is ${text.length} bytes encoded, over the ${MAX_MESSAGE_BYTES}-byte queue limit`);
    }
    if (await this.sentIds?.sentWithinWindow(client.name, envelope.messageId)) return; // a duplicate: dropped, as Service Bus does
    await guard(what, () =>
      client.sendMessage(text, {
        messageTimeToLive: -1,
        ...(visibilitySeconds > 0 ? { visibilityTimeout: visibilitySeconds } : {}),
      }),
    );
    notifySent(client.name, Date.now() + visibilitySeconds * 1000);
    // Sent: a failure to record it only lets a later duplicate through (never drops a message), so it is not the sender's failure.
    await this.sentIds?.recordSent(client.name, envelope.messageId).catch(() => undefined);
  }
}

function clampSeconds(seconds: number): number {
  return Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(seconds)));
}

async function guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateStorageError(error, what);
  }
}
