/**
 * The message port on Azure Service Bus (production).
 *
 * Design notes:
 * - **Send only.** In Azure, Functions' Service Bus triggers receive and settle;
 *   this adapter sends, schedules and moves rejected messages aside.
 * - **Scheduling.** `send` with a future `notBeforeMs` sets
 *   `scheduledEnqueueTimeUtc` on an ordinary `sendMessages` transfer rather than
 *   calling `scheduleMessages`: one AMQP transfer on the sender link instead of
 *   a `$management` request/response round trip, the same code path (and error
 *   handling) as immediate sends, and the port never cancels. When a caller does
 *   need to cancel, {@link ServiceBusMessageBus.schedule} uses `scheduleMessages`
 *   and returns the sequence number that {@link ServiceBusMessageBus.cancelScheduled}
 *   takes. Sequence numbers are the SDK's `Long` (from the `long` package, which
 *   this project does not declare): keep the value as returned, or convert with
 *   {@link sequenceNumberToBigInt} for display and logs.
 * - **Two clocks.** `notBeforeMs` is on the responder's clock (maybe a
 *   ScaledClock); Service Bus schedules on wall time. The remaining clock time is
 *   converted with the injected {@link WallDelay} and added to the wall clock.
 * - **Poison queue instead of dead-lettering.** The Functions Node worker cannot
 *   dead-letter a message with a reason (settlement from a function needs a
 *   preview SDK-binding package), so a message the responder rejects is sent,
 *   with its reason, to an explicit `<queue>-poison` queue and the trigger then
 *   completes the original. Nothing is lost: the body is kept verbatim and the
 *   reason travels in application properties.
 * - **Errors** are translated into the responder's vocabulary by
 *   {@link translateServiceBusError}; domain code never sees a ServiceBusError.
 */
import { isServiceBusError } from '@azure/service-bus';
import type { ServiceBusClient, ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';
import type { DeadLetterReason, MessageBus, OutgoingMessage, QueueName } from '../bus/port.js';
import { poisonMessage, poisonQueueName } from '../bus/poison.js';
import type { QueueMap } from '../bus/queues.js';
import { systemClock, type Clock, type WallDelay } from '../clock.js';
import { ForbiddenError, NotFoundError, PermanentError, ResponderError, ThrottledError, TransientError, describeError } from '../errors.js';

/** The SDK's sequence number type (a `Long`), named without importing `long`. */
export type SequenceNumber = Awaited<ReturnType<ServiceBusSender['scheduleMessages']>>[number];

/** Service Bus's own advice for ServiceBusy: wait about ten seconds. */
export const SERVICE_BUSY_RETRY_MS = 10_000;
/** Service Bus rejects longer message ids. */
const MAX_MESSAGE_ID_LENGTH = 128;

export interface ServiceBusMessageBusOptions {
  /** The wall clock used for `scheduledEnqueueTimeUtc`; tests inject one. Default: system clock. */
  wallClock?: Clock;
}

export class ServiceBusMessageBus implements MessageBus {
  private readonly senders = new Map<string, ServiceBusSender>();
  private readonly wallClock: Clock;

  /**
   * @param client injected; the caller owns it and closes it after {@link close}.
   * @param queues the Service Bus queue for each port queue; poison queues are `<name>-poison`.
   * @param clock the responder's clock (`notBeforeMs` is on it).
   * @param wallDelay converts a span of that clock into wall-clock ms.
   */
  constructor(
    private readonly client: ServiceBusClient,
    private readonly queues: QueueMap,
    private readonly clock: Clock,
    private readonly wallDelay: WallDelay,
    options: ServiceBusMessageBusOptions = {},
  ) {
    this.wallClock = options.wallClock ?? systemClock;
  }

  async send(queue: QueueName, message: OutgoingMessage): Promise<void> {
    const sbMessage = this.toServiceBusMessage(message);
    const at = this.scheduledTime(message.notBeforeMs);
    if (at) sbMessage.scheduledEnqueueTimeUtc = at;
    await this.guard(`send ${message.messageId} to ${queue}`, () => this.sender(this.queues[queue]).sendMessages(sbMessage));
  }

  /**
   * Schedules a message through `$management` and returns its sequence number
   * for {@link cancelScheduled}. A `notBeforeMs` already past is scheduled for now.
   */
  async schedule(queue: QueueName, message: OutgoingMessage): Promise<SequenceNumber> {
    const at = this.scheduledTime(message.notBeforeMs) ?? new Date(this.wallClock.nowMs());
    const numbers = await this.guard(`schedule ${message.messageId} on ${queue}`, () =>
      this.sender(this.queues[queue]).scheduleMessages(this.toServiceBusMessage(message), at),
    );
    const first = numbers[0];
    if (first === undefined) throw new TransientError(`Service Bus returned no sequence number for ${message.messageId}`);
    return first;
  }

  /**
   * Cancels a message scheduled with {@link schedule}. Once the message has been
   * enqueued it can no longer be cancelled (Service Bus reports MessageNotFound,
   * translated to NotFoundError).
   */
  async cancelScheduled(queue: QueueName, sequenceNumber: SequenceNumber): Promise<void> {
    await this.guard(`cancel scheduled message ${sequenceNumber.toString()} on ${queue}`, () =>
      this.sender(this.queues[queue]).cancelScheduledMessages(sequenceNumber),
    );
  }

  /** Sends `body`, verbatim, to `<queue>-poison` with the reason in application properties. */
  async deadLetter(queue: QueueName, body: unknown, reason: DeadLetterReason): Promise<void> {
    const poison = poisonQueueName(this.queues[queue]);
    const { messageId, properties } = poisonMessage(this.queues[queue], body, reason);
    const message: ServiceBusMessage = { body, contentType: 'application/json', applicationProperties: properties, messageId };
    await this.guard(`dead-letter to ${poison}`, () => this.sender(poison).sendMessages(message));
  }

  /** Closes the cached senders (not the injected client). */
  async close(): Promise<void> {
    const senders = [...this.senders.values()];
    this.senders.clear();
    await Promise.all(senders.map((s) => s.close()));
  }

  private toServiceBusMessage(message: OutgoingMessage): ServiceBusMessage {
    if (message.messageId.length === 0 || message.messageId.length > MAX_MESSAGE_ID_LENGTH) {
      throw new PermanentError(`messageId must be 1-${MAX_MESSAGE_ID_LENGTH} characters, got ${message.messageId.length}`);
    }
    return {
      body: message.body,
      messageId: message.messageId,
      contentType: 'application/json',
      applicationProperties: { ...message.properties },
    };
  }

  /** Wall time to enqueue at, or undefined when `notBeforeMs` is absent or not in the future on the clock. */
  private scheduledTime(notBeforeMs: number | undefined): Date | undefined {
    if (notBeforeMs === undefined) return undefined;
    const remainingMs = notBeforeMs - this.clock.nowMs();
    if (remainingMs <= 0) return undefined;
    return new Date(this.wallClock.nowMs() + Math.ceil(this.wallDelay(remainingMs)));
  }

  private sender(entity: string): ServiceBusSender {
    let sender = this.senders.get(entity);
    if (!sender) {
      sender = this.client.createSender(entity);
      this.senders.set(entity, sender);
    }
    return sender;
  }

  private async guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw translateServiceBusError(error, what);
    }
  }
}

/** Translates what the Service Bus SDK throws into the responder's error vocabulary. */
export function translateServiceBusError(error: unknown, what = 'Service Bus operation'): ResponderError {
  if (error instanceof ResponderError) return error;
  const message = `${what} failed: ${describeError(error)}`;
  if (isServiceBusError(error)) {
    switch (error.code) {
      case 'ServiceBusy':
        return new ThrottledError(message, SERVICE_BUSY_RETRY_MS, { cause: error });
      case 'MessagingEntityNotFound':
      case 'MessageNotFound':
        return new NotFoundError(message, { cause: error });
      case 'UnauthorizedAccess':
        return new ForbiddenError(message, error.code, { cause: error });
      case 'MessageSizeExceeded':
      case 'MessagingEntityDisabled':
      case 'MessagingEntityAlreadyExists':
        return new PermanentError(message, { cause: error });
      default: // GeneralError, ServiceTimeout, ServiceCommunicationProblem, QuotaExceeded, lock losses
        return new TransientError(message, { cause: error });
    }
  }
  // The SDK validates arguments with TypeError/RangeError: retrying cannot help.
  if (error instanceof TypeError || error instanceof RangeError) return new PermanentError(message, { cause: error });
  return new TransientError(message, { cause: error }); // network, abort, unknown: let the queue retry
}

/** A sequence number as a bigint, for logs and display. */
export function sequenceNumberToBigInt(sequenceNumber: SequenceNumber): bigint {
  return BigInt(sequenceNumber.toString());
}
