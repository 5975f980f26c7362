import type { z } from 'zod';
import { fail, ok, type Result } from '../result.js';
import { describeIssues, toIssues } from '../validation.js';
import type { DeliveryInfo, MessageBus, QueueName } from './port.js';

/**
 * Checks a delivered body against its queue's schema. A body that does not
 * match can never be processed: it is dead-lettered (reason
 * `MalformedMessage`, the issues as description, the original message id)
 * and the issues are returned, so the handler only has to stop.
 */
export async function parseOrDeadLetter<S extends z.ZodType>(
  bus: MessageBus,
  queue: QueueName,
  schema: S,
  body: unknown,
  delivery: DeliveryInfo,
): Promise<Result<z.output<S>>> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return ok(parsed.data);
  const issues = toIssues(parsed.error);
  await bus.deadLetter(queue, body, {
    reason: 'MalformedMessage',
    description: describeIssues(issues),
    originalMessageId: delivery.messageId,
  });
  return fail(issues);
}
