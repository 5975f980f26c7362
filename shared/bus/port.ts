/**
 * The message port. The domain sends JSON bodies to named queues; adapters
 * (Service Bus in Azure, Azurite queues locally) deliver them at least once.
 * Every message carries a deterministic `messageId` built from business ids,
 * so duplicate detection (Service Bus) and idempotent handlers line up.
 */
import type { QueueName } from './queues.js';

export type { QueueName } from './queues.js';

export type MessageProperties = Record<string, string | number | boolean>;

export interface OutgoingMessage {
  /** JSON-serialisable body. */
  body: unknown;
  /** Deterministic id from business fields (run, device, step), never random. */
  messageId: string;
  /**
   * Deliver no earlier than this instant (epoch ms on the responder's clock).
   * Omitted or in the past: deliver now.
   */
  notBeforeMs?: number;
  /** Application properties (Service Bus) / envelope properties (local). */
  properties?: MessageProperties;
}

/** What a handler learns about the delivery it is processing. */
export interface DeliveryInfo {
  messageId: string;
  /** 1 on first delivery. */
  deliveryCount: number;
  enqueuedTimeMs?: number;
  properties?: MessageProperties;
}

export interface MessageBus {
  send(queue: QueueName, message: OutgoingMessage): Promise<void>;
  /**
   * Moves a message that can never be processed out of the way, with its
   * reason, so nothing is lost silently. Service Bus: the `<queue>-poison`
   * queue; local: the `<queue>-poison` Azurite queue.
   */
  deadLetter(queue: QueueName, body: unknown, reason: DeadLetterReason): Promise<void>;
}

export interface DeadLetterReason {
  /** Short machine-readable reason, e.g. `MalformedAlert`. */
  reason: string;
  /** Human-readable description naming what was wrong. */
  description: string;
  /** Id of the message being dead-lettered, when known. */
  originalMessageId?: string;
  /**
   * Which part of that message this is, when a message is dead-lettered in
   * parts (one rejected alert of a batch): the parts get distinct ids, so
   * duplicate detection does not keep only the first.
   */
  part?: string;
}

/**
 * How exact a count is: `exact` (every message was seen), `atLeast` (the
 * look stopped at its bound: there may be more), `approximate` (the
 * service's own estimate: Storage queues' approximate message count, never
 * below the true count but possibly above it).
 */
export type CountIs = 'exact' | 'atLeast' | 'approximate';

export interface MessageCount {
  count: number;
  countIs: CountIs;
}

/** A read-only look at one queue: how many messages it holds, how long the oldest ready one has waited, and its dead letters. */
export interface QueueLook {
  /** Every message the queue holds: ready, scheduled for later or being handled. */
  messages: MessageCount & {
    /**
     * How long the message that has waited longest since it became due (sent,
     * or its `notBeforeMs` reached) has waited, in ms; absent when none was
     * seen ready. Scheduled messages are not late and do not count.
     */
    oldestReadyAgeMs?: number;
    /** `exact` when every ready message was seen; `atLeast` when the look was bounded (the oldest may have waited longer). */
    oldestReadyAgeIs: 'exact' | 'atLeast';
  };
  /** Dead letters waiting, per place: `poison` (both buses), `native` (Service Bus's `$DeadLetterQueue`; absent on Storage queues). */
  deadLetters: { poison: MessageCount; native?: MessageCount };
}

/**
 * The bus's read-only probe (GET /api/status): it counts and peeks, and
 * never receives, locks, changes or settles a message. Each bus adapter has
 * one (shared/azure/storageQueueProbe.ts, serviceBusQueueProbe.ts), held to
 * test/contracts/queueProbe.contract.ts. Needs no more than the rights the
 * app already has to receive (Service Bus: Listen, no Manage).
 */
export interface QueueProbe {
  look(queue: QueueName): Promise<QueueLook>;
}
