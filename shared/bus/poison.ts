import { createHash } from 'node:crypto';
import type { DeadLetterReason, MessageProperties } from './port.js';

/** Where a queue's messages that can never be processed go, with their reason: `<bus name>-poison`. */
export function poisonQueueName(busQueueName: string): string {
  return `${busQueueName}-poison`;
}

/**
 * The poison message's properties and id, the same on every bus: the reason
 * in properties an operator can filter on, and an id that is the original's
 * (with the part's name for one part of it; or derived from the body), so a
 * retried dead-letter is a duplicate, not a second copy, while two parts of
 * one message stay two.
 */
export function poisonMessage(
  busQueueName: string,
  body: unknown,
  reason: DeadLetterReason,
): { messageId: string; properties: MessageProperties } {
  const properties: MessageProperties = {
    deadLetterReason: reason.reason,
    deadLetterErrorDescription: reason.description,
    sourceQueue: busQueueName,
  };
  if (reason.originalMessageId !== undefined) properties.originalMessageId = reason.originalMessageId;
  if (reason.part !== undefined) properties.originalMessagePart = reason.part;
  const messageId =
    reason.originalMessageId === undefined
      ? `poison-${createHash('sha256')
          .update(JSON.stringify(body) ?? '')
          .digest('hex')
          .slice(0, 40)}`
      : [reason.originalMessageId, reason.part].filter((p) => p !== undefined).join('.');
  return { messageId, properties };
}
