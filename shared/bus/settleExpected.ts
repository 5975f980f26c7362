/**
 * The delivery contract's net for expected conditions (docs/architecture.md,
 * "The delivery contract"). A queue handler completes, reschedules or
 * dead-letters with a reason; a throw reaching the trigger is a bug, which
 * Service Bus answers with an abandon (redelivery at once, a delivery counted,
 * `<queue>/$DeadLetterQueue` after `maxDeliveryCount`). So what a handler
 * lets escape of the error vocabulary is settled here, the same on every bus:
 *
 * - ThrottledError: the same body is sent again for `retryAfterMs` later and
 *   the delivery completes (no limit: a throttle always ends);
 * - TransientError (a passing fault, a contended write): sent again with
 *   backoff (`DELIVERY_RETRY_BASE_MS` doubling to `DELIVERY_RETRY_MAX_MS`);
 *   after `DELIVERY_TRANSIENT_RETRIES` of them, dead-lettered with
 *   `TransientRetriesExhausted` and the last error;
 * - PermanentError: dead-lettered at once, the error's name as the reason;
 * - anything else is rethrown: a bug, for the queue to abandon.
 *
 * The copy's id is the original's with `.retry-<n>` (n counts every resend of
 * the message), so duplicate detection drops a copy sent twice by one delivery
 * redelivered, never the next retry. Its properties carry the counts.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { PermanentError, ThrottledError, TransientError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { redactText } from '../redaction.js';
import type { Metrics } from '../telemetry/metrics.js';
import { queueAgeMs } from '../telemetry/queueAge.js';
import type { DeliveryInfo, MessageBus, MessageProperties, QueueName } from './port.js';

/** How a delivery ended when the handler's expected condition was settled here. */
export type ExpectedOutcome = { kind: 'rescheduled'; reason: string; notBeforeMs: number } | { kind: 'dead-lettered'; reason: string };

export interface DeliveryRetryLimits {
  /** Transient failures of one message before it is dead-lettered. */
  transientRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface SettleDeps {
  bus: MessageBus;
  clock: Clock;
  logger: Logger;
  config: { delivery: DeliveryRetryLimits };
  /** Where each delivery's queue age is recorded (responder.queue.age); unset: nowhere. */
  metrics?: Pick<Metrics, 'record'>;
}

/** Message properties carrying the counts from one copy to the next. */
export const RESEND_PROPERTY = 'deliveryResends';
export const TRANSIENT_PROPERTY = 'deliveryTransientFailures';
/** Service Bus refuses longer message ids. */
const MAX_MESSAGE_ID_LENGTH = 128;

/** Backoff after the `failures`-th transient failure (1-based). Pure. */
export function transientDelayMs(failures: number, limits: DeliveryRetryLimits): number {
  return Math.min(limits.retryMaxMs, limits.retryBaseMs * 2 ** Math.max(0, failures - 1));
}

/** The id of the `n`-th resend of a message: its first id with `.retry-<n>`, hashed when too long for Service Bus. */
export function resendMessageId(messageId: string, n: number): string {
  const base = messageId.replace(/\.retry-\d+$/, '');
  const id = `${base}.retry-${n}`;
  if (id.length <= MAX_MESSAGE_ID_LENGTH) return id;
  return `${createHash('sha256').update(base).digest('hex').slice(0, 40)}.retry-${n}`;
}

/** Runs `handle`; settles the expected conditions it throws as the contract says (see the module doc). */
export async function settleExpected<T>(
  deps: SettleDeps,
  queue: QueueName,
  body: unknown,
  delivery: DeliveryInfo,
  handle: () => Promise<T>,
): Promise<T | ExpectedOutcome> {
  const ageMs = queueAgeMs(delivery, deps.clock.nowMs());
  if (ageMs !== undefined) deps.metrics?.record('queueAge', ageMs, { queue });
  try {
    return await handle();
  } catch (error) {
    if (error instanceof PermanentError) return deadLetter(deps, queue, body, delivery, error.name, describeError(error));
    if (!(error instanceof ThrottledError || error instanceof TransientError)) throw error;
    const transient = count(delivery.properties, TRANSIENT_PROPERTY) + (error instanceof TransientError ? 1 : 0);
    const limits = deps.config.delivery;
    if (transient > limits.transientRetries) {
      const description = `${transient} transient failures; the last: ${describeError(error)}`;
      return deadLetter(deps, queue, body, delivery, 'TransientRetriesExhausted', description);
    }
    const waitMs = error instanceof ThrottledError ? error.retryAfterMs : transientDelayMs(transient, limits);
    return resend(deps, queue, body, delivery, { transient, waitMs, error });
  }
}

async function resend(
  deps: SettleDeps,
  queue: QueueName,
  body: unknown,
  delivery: DeliveryInfo,
  next: { transient: number; waitMs: number; error: ThrottledError | TransientError },
): Promise<ExpectedOutcome> {
  const n = count(delivery.properties, RESEND_PROPERTY) + 1;
  const notBeforeMs = deps.clock.nowMs() + Math.max(0, next.waitMs);
  const properties: MessageProperties = { ...delivery.properties, [RESEND_PROPERTY]: n, [TRANSIENT_PROPERTY]: next.transient };
  await deps.bus.send(queue, { body, messageId: resendMessageId(delivery.messageId, n), notBeforeMs, properties });
  deps.logger.log('warn', 'message rescheduled after an expected failure', {
    queue,
    messageId: delivery.messageId,
    resend: n,
    waitMs: next.waitMs,
    error: describeError(next.error),
  });
  return { kind: 'rescheduled', reason: next.error.name, notBeforeMs };
}

async function deadLetter(
  deps: SettleDeps,
  queue: QueueName,
  body: unknown,
  delivery: DeliveryInfo,
  reason: string,
  description: string,
): Promise<ExpectedOutcome> {
  await deps.bus.deadLetter(queue, body, { reason, description: redactText(description), originalMessageId: delivery.messageId });
  deps.logger.log('error', 'message dead-lettered', { queue, messageId: delivery.messageId, reason, description });
  return { kind: 'dead-lettered', reason };
}

function count(properties: MessageProperties | undefined, key: string): number {
  const value = properties?.[key];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}
