/**
 * The dead-letter port: every message that will never be processed, in one
 * place an operator can list, replay after a fix, and purge. Two sources per
 * logical queue:
 * - `poison`: `<queue>-poison`, where the responder puts a message it rejects,
 *   with its reason (poison.ts; both buses);
 * - `native`: Service Bus's own `<queue>/$DeadLetterQueue`, where the broker
 *   moves a message after `maxDeliveryCount` failed deliveries (Service Bus
 *   only; storage queues have none, the local consumer poisons instead).
 */
import type { QueueName } from './queues.js';

export type DeadLetterSource = 'poison' | 'native';
export const DEAD_LETTER_SOURCES: readonly DeadLetterSource[] = ['poison', 'native'];

/** One dead letter as an operator sees it. */
export interface DeadLetterEntry {
  /** `<queue>:<source>:<key>` (key: the sequence number on Service Bus, the storage message id on storage queues). */
  id: string;
  queue: QueueName;
  source: DeadLetterSource;
  reason: string;
  description: string;
  /** The dead letter's own message id (a poison message's is the original's, with the part's name for one part). */
  messageId: string;
  /** The id of the message that was rejected, when known. */
  originalMessageId?: string;
  /** When the dead letter was enqueued where it lies (epoch ms). */
  firstSeenMs: number;
  /** Deliveries attempted, where the bus counts them (Service Bus). */
  deliveryCount?: number;
  /** The body as JSON text, redacted (shared/redaction.ts) and cut to the preview bound. */
  preview: string;
  /** True when the preview was cut. */
  previewTruncated: boolean;
}

export interface DeadLetterFilter {
  /** Only these queues (default: all). */
  queues?: readonly QueueName[];
  /** Only this source (default: both). */
  source?: DeadLetterSource;
  /** Only this reason (exact, case-insensitive). */
  reason?: string;
}

export interface DeadLetterPage {
  /** At most this many entries. */
  limit: number;
  /** Entries after this id, in listing order (the previous page's `next`). */
  after?: string;
}

export interface DeadLetterListing {
  entries: DeadLetterEntry[];
  /** Set when more entries may follow: pass it as `after`. */
  next?: string;
  /** Set when a dead-letter queue held more than the scan bound, so entries past it were not seen. */
  scanLimitReached?: boolean;
}

export type DeadLetterOutcome =
  | { id: string; outcome: 'replayed'; replayMessageId: string }
  | { id: string; outcome: 'purged' }
  | { id: string; outcome: 'not-found' }
  | { id: string; outcome: 'refused'; detail: string };

export interface DeadLetterStore {
  /** Entries in a stable order: queue (the queue table's order), poison before native, then position in the queue. */
  list(filter: DeadLetterFilter, page: DeadLetterPage): Promise<DeadLetterListing>;
  /**
   * Sends each dead letter's body back to its queue under a new deterministic
   * message id ({@link replayMessageId}), then removes the dead letter. A crash
   * in between leaves the dead letter: replaying it again sends the same id
   * (dropped by duplicate detection on Service Bus).
   */
  replay(ids: readonly string[]): Promise<DeadLetterOutcome[]>;
  /** Removes the dead letters for good. */
  purge(ids: readonly string[]): Promise<DeadLetterOutcome[]>;
}
