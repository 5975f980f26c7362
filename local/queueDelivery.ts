/**
 * What the local consumer does with one received storage queue message
 * (the polling and concurrency live in queueConsumer.ts):
 *
 * 1. text that is not an envelope → `<queue>-poison` (`MalformedEnvelope`);
 * 2. **early arrival** — storage hides scheduled messages in whole seconds, so a
 *    message can surface before `notBeforeMs` (responder clock). Up to
 *    `earlyWaitLimitMs` of wall time is waited out in process; a longer wait
 *    (7-day clamp, a restarted scaled clock) re-hides the message and counts a
 *    deferral, which is not a failed delivery;
 * 3. a message already delivered more than `maxDeliveryCount` times (earlier
 *    attempts never settled) → poison;
 * 4. the handler, settled as the Functions Service Bus trigger settles it
 *    (the delivery contract, docs/architecture.md): returning deletes the
 *    message; any throw is an abandon, whatever the error: the message is
 *    visible again at once and the next receive counts a delivery, and the
 *    delivery that reaches `maxDeliveryCount` and fails is poisoned with
 *    `MaxDeliveryCountExceeded` and the last error (redacted). Expected
 *    conditions (throttled, transient) never reach here as throws: handlers
 *    reschedule them (shared/bus/settleExpected.ts).
 *
 * Poisoning sends the copy first and deletes the original second, so a crash
 * in between duplicates rather than loses.
 */
import type { StorageQueueMessageBus, QueueEnvelope, ReceivedQueueMessage } from '../shared/azure/storageQueueBus.js';
import type { DeliveryInfo, QueueName } from '../shared/bus/port.js';
import type { Clock, WallDelay } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import { redactText } from '../shared/redaction.js';

export type QueueHandler = (body: unknown, delivery: DeliveryInfo) => Promise<void>;

/** Progress reported to `onEvent`; the consumer writes nothing itself. */
export type ConsumerEvent =
  | { type: 'received'; queue: QueueName; messageId: string; deliveryCount: number }
  | { type: 'deferred'; queue: QueueName; messageId: string; wallMs: number; how: 'wait' | 'rehide' }
  | { type: 'completed'; queue: QueueName; messageId: string; deliveryCount: number; wallMs: number }
  | { type: 'failed'; queue: QueueName; messageId: string; deliveryCount: number; error: string }
  | { type: 'deadLettered'; queue: QueueName; messageId: string; reason: string; description: string }
  | { type: 'error'; queue: QueueName; error: string };

export interface DeliveryPolicy {
  clock: Clock;
  wallDelay: WallDelay;
  maxDeliveryCount: number;
  earlyWaitLimitMs: number;
  emit: (event: ConsumerEvent) => void;
  /** False once the consumer is stopping: early waits give up and re-hide. */
  running: () => boolean;
  /** Wall-clock sleep that returns early when the consumer stops. */
  sleep: (wallMs: number) => Promise<void>;
}

export async function processMessage(
  bus: StorageQueueMessageBus,
  received: ReceivedQueueMessage,
  handler: QueueHandler,
  policy: DeliveryPolicy,
): Promise<void> {
  const { queue } = received;
  if (!received.envelope) return poison(bus, policy, received, received.text, 'MalformedEnvelope', received.problem);
  const { envelope } = received;
  if (!(await waitUntilDue(bus, policy, received, envelope))) return;
  const deliveryCount = received.dequeueCount - (envelope.deferrals ?? 0);
  if (deliveryCount > policy.maxDeliveryCount) {
    const description = `${deliveryCount - 1} deliveries did not finish (the consumer stopped before settling them)`;
    return poison(bus, policy, received, envelope.body, 'MaxDeliveryCountExceeded', description);
  }
  policy.emit({ type: 'received', queue, messageId: envelope.messageId, deliveryCount });
  const startedWallMs = Date.now();
  try {
    await handler(envelope.body, {
      messageId: envelope.messageId,
      deliveryCount,
      enqueuedTimeMs: envelope.enqueuedMs,
      properties: envelope.properties,
    });
  } catch (error) {
    return failed(bus, policy, received, envelope, deliveryCount, error);
  }
  await bus.complete(received);
  policy.emit({ type: 'completed', queue, messageId: envelope.messageId, deliveryCount, wallMs: Date.now() - startedWallMs });
}

/** True once `notBeforeMs` has passed on the clock; false if the message was re-hidden instead. */
async function waitUntilDue(
  bus: StorageQueueMessageBus,
  policy: DeliveryPolicy,
  message: ReceivedQueueMessage,
  envelope: QueueEnvelope,
): Promise<boolean> {
  const remainingWallMs = (): number => policy.wallDelay((envelope.notBeforeMs ?? 0) - policy.clock.nowMs());
  const first = remainingWallMs();
  if (first <= 0) return true;
  const event = { type: 'deferred', queue: message.queue, messageId: envelope.messageId, wallMs: first } as const;
  if (first <= policy.earlyWaitLimitMs) {
    policy.emit({ ...event, how: 'wait' });
    for (let left = first; left > 0 && policy.running(); left = remainingWallMs()) await policy.sleep(Math.max(1, Math.ceil(left)));
    if (remainingWallMs() <= 0) return true;
  } else {
    policy.emit({ ...event, how: 'rehide' });
  }
  // Too early to wait for, or stopping: hide it again. Storage rounds down; the next arrival waits the rest.
  await bus.hide(message, Math.floor(remainingWallMs() / 1000), { ...envelope, deferrals: (envelope.deferrals ?? 0) + 1 });
  return false;
}

/** A throw is an abandon: visible again at once, or poisoned when this delivery was the last one allowed. */
async function failed(
  bus: StorageQueueMessageBus,
  policy: DeliveryPolicy,
  message: ReceivedQueueMessage,
  envelope: QueueEnvelope,
  deliveryCount: number,
  error: unknown,
): Promise<void> {
  const described = redactText(describeError(error));
  if (deliveryCount >= policy.maxDeliveryCount) {
    const description = `${deliveryCount} deliveries failed; last error: ${described}`;
    await poison(bus, policy, message, envelope.body, 'MaxDeliveryCountExceeded', description);
    return;
  }
  policy.emit({ type: 'failed', queue: message.queue, messageId: envelope.messageId, deliveryCount, error: described });
  await bus.hide(message, 0);
}

async function poison(
  bus: StorageQueueMessageBus,
  policy: DeliveryPolicy,
  message: ReceivedQueueMessage,
  body: unknown,
  reason: string,
  description: string,
): Promise<void> {
  const originalMessageId = message.envelope?.messageId;
  await bus.deadLetter(message.queue, body, { reason, description, ...(originalMessageId ? { originalMessageId } : {}) });
  await bus.complete(message);
  policy.emit({
    type: 'deadLettered',
    queue: message.queue,
    messageId: originalMessageId ?? message.storageMessageId,
    reason,
    description,
  });
}
