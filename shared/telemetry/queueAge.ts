import type { DeliveryInfo, OutgoingMessage } from '../bus/port.js';

/**
 * The message property carrying when a message became due (epoch ms on the
 * responder's clock): its `notBeforeMs`, or the send time when it had none.
 * The metered bus writes it on every send, so a message's age is measured
 * from when it could first have been handled, on any bus, whatever the bus
 * says its enqueued time of a scheduled message is.
 */
export const DUE_PROPERTY = 'dueMs';

/** `message` with its due time in DUE_PROPERTY (a copy's earlier due time replaced). */
export function withDueTime(message: OutgoingMessage, nowMs: number): OutgoingMessage {
  const dueMs = Math.max(nowMs, message.notBeforeMs ?? nowMs);
  return { ...message, properties: { ...message.properties, [DUE_PROPERTY]: dueMs } };
}

/**
 * How long a delivered message waited after it became due: from its due
 * time, or its enqueued time for a message sent without one (from outside
 * the responder); undefined when neither is known. Never negative.
 */
export function queueAgeMs(delivery: DeliveryInfo, nowMs: number): number | undefined {
  const due = delivery.properties?.[DUE_PROPERTY];
  const sinceMs = typeof due === 'number' && Number.isFinite(due) ? due : delivery.enqueuedTimeMs;
  return sinceMs === undefined ? undefined : Math.max(0, nowMs - sinceMs);
}
