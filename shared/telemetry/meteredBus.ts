import type { DeadLetterReason, MessageBus, QueueName } from '../bus/port.js';
import type { Clock } from '../clock.js';
import type { Metrics } from './metrics.js';
import { withDueTime } from './queueAge.js';

/** A reason as a metric attribute: the short machine-readable reasons the services give; anything else is `Other`. */
const REASON = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * The bus as the services use it when metrics are on: every message sent
 * carries its due time (queueAge.ts), and every message the services
 * dead-letter is counted (responder.queue.dead_letters, by queue and reason)
 * once the bus has taken it. Messages the bus itself dead-letters after
 * `maxDeliveryCount` (Service Bus, the local consumer) do not pass here:
 * GET /api/status counts those.
 */
export function meteredBus(inner: MessageBus, metrics: Metrics, clock: Clock): MessageBus {
  return {
    send: (queue, message) => inner.send(queue, withDueTime(message, clock.nowMs())),
    deadLetter: async (queue: QueueName, body: unknown, reason: DeadLetterReason) => {
      await inner.deadLetter(queue, body, reason);
      metrics.add('deadLetters', 1, { queue, reason: REASON.test(reason.reason) ? reason.reason : 'Other' });
    },
  };
}
