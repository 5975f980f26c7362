/**
 * The envelope a storage queue message carries: base64 of JSON
 * `{messageId, properties, body, notBeforeMs?, enqueuedMs, deferrals?}`.
 * Base64 is what the Functions queue trigger decodes by default.
 */
import { z } from 'zod';
import type { MessageProperties } from '../bus/port.js';

const envelopeSchema = z.object({
  messageId: z.string().min(1),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  body: z.unknown(),
  notBeforeMs: z.number().optional(),
  enqueuedMs: z.number(),
  deferrals: z.number().int().nonnegative().optional(),
});

/** What travels in a storage queue message (as base64 JSON). */
export interface QueueEnvelope {
  messageId: string;
  properties: MessageProperties;
  body: unknown;
  /** Responder-clock epoch ms before which the message must not be handled. */
  notBeforeMs?: number;
  /** Responder-clock epoch ms at send. */
  enqueuedMs: number;
  /** Times the consumer re-hid the message because it surfaced early. */
  deferrals?: number;
}

export function encodeEnvelope(envelope: QueueEnvelope): string {
  return Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64');
}

export function decodeEnvelope(text: string): { envelope: QueueEnvelope } | { problem: string } {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(Buffer.from(text, 'base64').toString('utf8')));
    if (parsed.success) return { envelope: parsed.data };
    return { problem: `not a queue envelope: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  } catch (error) {
    return { problem: `not base64 JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
