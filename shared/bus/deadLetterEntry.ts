/** What every dead-letter adapter builds the same way: ids, previews and replay ids. */
import { createHash } from 'node:crypto';
import { isSecretField, redactText } from '../redaction.js';
import { DEAD_LETTER_SOURCES, type DeadLetterEntry, type DeadLetterSource } from './deadLetterStore.js';
import { QUEUE_NAMES, type QueueName } from './queues.js';

/** Service Bus refuses longer message ids. */
const MAX_MESSAGE_ID_LENGTH = 128;

export interface DeadLetterKey {
  queue: QueueName;
  source: DeadLetterSource;
  /** The sequence number (Service Bus) or storage message id. */
  key: string;
}

export function deadLetterId(key: DeadLetterKey): string {
  return `${key.queue}:${key.source}:${key.key}`;
}

/** The parts of an entry id, or undefined when it is not one. */
export function parseDeadLetterId(id: string): DeadLetterKey | undefined {
  const [queue, source, ...rest] = id.split(':');
  const key = rest.join(':');
  if (!QUEUE_NAMES.includes(queue as QueueName) || (source !== 'poison' && source !== 'native') || key === '') return undefined;
  return { queue: queue as QueueName, source, key };
}

/**
 * The message id a replayed dead letter is sent with: `<dead letter's id>.replay-<key>`
 * (a digest when that is over Service Bus's 128 characters). New, so duplicate
 * detection does not drop it as the original; deterministic, so replaying the
 * same dead letter twice (a crash between send and removal) sends the same id.
 */
export function replayMessageId(deadLetterMessageId: string, key: string): string {
  const id = `${deadLetterMessageId}.replay-${key}`;
  if (id.length <= MAX_MESSAGE_ID_LENGTH) return id;
  return `replay-${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

/**
 * The body as JSON text, redacted (fields whose names say secret hidden
 * whole, then the text through redactText), then cut to `maxBytes` of UTF-8
 * (never mid-character).
 */
export function bodyPreview(body: unknown, maxBytes: number): { preview: string; previewTruncated: boolean } {
  const json =
    typeof body === 'string'
      ? body
      : JSON.stringify(body, (key, value: unknown) => (key !== '' && isSecretField(key) ? '[redacted]' : value));
  const text = redactText(json ?? String(body));
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { preview: text, previewTruncated: false };
  // Decoding a cut buffer turns a split character into U+FFFD; drop it.
  return {
    preview: bytes
      .subarray(0, maxBytes)
      .toString('utf8')
      .replace(/\uFFFD+$/, ''),
    previewTruncated: true,
  };
}

/** Whether an entry passes a filter. */
export function matchesFilter(
  entry: Pick<DeadLetterEntry, 'queue' | 'source' | 'reason'>,
  filter: { queues?: readonly QueueName[]; source?: DeadLetterSource; reason?: string },
): boolean {
  return (
    (filter.queues === undefined || filter.queues.includes(entry.queue)) &&
    (filter.source === undefined || filter.source === entry.source) &&
    (filter.reason === undefined || filter.reason.toLowerCase() === entry.reason.toLowerCase())
  );
}

/** The text of a property bag's value, or undefined. */
export function propertyText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** Where a dead-letter location comes in listing order: the queue table's order, poison before native. */
export function locationOrder(location: { queue: QueueName; source: DeadLetterSource }): number {
  return QUEUE_NAMES.indexOf(location.queue) * DEAD_LETTER_SOURCES.length + DEAD_LETTER_SOURCES.indexOf(location.source);
}
