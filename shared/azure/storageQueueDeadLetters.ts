/**
 * The dead-letter port on Azure Storage queues: the `<queue>-poison` queues
 * (storage queues have no native dead-letter queue).
 *
 * Design notes:
 * - **Listing receives.** A storage queue can be peeked only at its first 32
 *   messages, so every operation walks a poison queue by receiving it in
 *   batches of 32, each message hidden for {@link SCAN_HIDE_SECONDS}, and puts
 *   back at once (visibility 0) what it does not remove. Nothing else reads
 *   poison queues; two operators walking one queue at the same moment each see
 *   only part of it. A walk stops at `scanMax` messages per queue
 *   (`scanLimitReached` in the listing), or when a message comes round again.
 * - **Order.** Entries are sorted by the time they were dead-lettered, then by
 *   storage message id; the page cursor holds both, so a page follows on even
 *   when the previous page's last entry was replayed meanwhile.
 * - **Replay** sends the body to the source queue through the bus, under
 *   {@link replayMessageId}, and only then deletes the poison message.
 */
import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { bodyPreview, deadLetterId, matchesFilter, parseDeadLetterId, propertyText, replayMessageId } from '../bus/deadLetterEntry.js';
import type {
  DeadLetterEntry,
  DeadLetterFilter,
  DeadLetterListing,
  DeadLetterOutcome,
  DeadLetterPage,
  DeadLetterStore,
} from '../bus/deadLetterStore.js';
import { poisonQueueName } from '../bus/poison.js';
import type { MessageBus } from '../bus/port.js';
import { QUEUE_NAMES, type QueueMap, type QueueName } from '../bus/queues.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { decodeEnvelope, type QueueEnvelope } from './queueEnvelope.js';
import { translateStorageError } from './storageErrors.js';

/** How long a walk hides each poison message it has received (it puts them back sooner). */
export const SCAN_HIDE_SECONDS = 60;

export interface DeadLetterStoreLimits {
  /** Preview bound, bytes of UTF-8. */
  previewBytes: number;
  /** Messages read at most per dead-letter queue and operation. */
  scanMax: number;
}

/** A poison message received during a walk. */
interface Held {
  storageId: string;
  popReceipt: string;
  entry: DeadLetterEntry;
  envelope?: QueueEnvelope;
}

export class StorageQueueDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly service: QueueServiceClient,
    private readonly queues: QueueMap,
    private readonly bus: MessageBus,
    private readonly limits: DeadLetterStoreLimits,
  ) {}

  async list(filter: DeadLetterFilter, page: DeadLetterPage): Promise<DeadLetterListing> {
    const after = parseCursor(page.after);
    const entries: DeadLetterEntry[] = [];
    let scanLimitReached = false;
    if (filter.source === 'native') return { entries };
    for (const queue of QUEUE_NAMES) {
      if (entries.length > page.limit) break;
      if (filter.queues && !filter.queues.includes(queue)) continue;
      if (after && QUEUE_NAMES.indexOf(queue) < QUEUE_NAMES.indexOf(after.queue)) continue;
      const walk = await this.walk(queue, () => false);
      await this.release(queue, walk.held);
      scanLimitReached ||= walk.limitReached;
      entries.push(...walk.held.map((h) => h.entry).filter((e) => matchesFilter(e, filter) && (!after || isAfter(e, after))));
    }
    const shown = entries.slice(0, page.limit);
    const last = shown[shown.length - 1];
    return {
      entries: shown,
      ...(entries.length > page.limit && last ? { next: cursorOf(last) } : {}),
      ...(scanLimitReached ? { scanLimitReached } : {}),
    };
  }

  replay(ids: readonly string[]): Promise<DeadLetterOutcome[]> {
    return this.settle(ids, async (queue, held) => {
      if (!held.envelope) return { id: held.entry.id, outcome: 'refused', detail: 'not a queue envelope: nothing to replay' };
      const messageId = replayMessageId(held.envelope.messageId, held.storageId);
      await this.bus.send(queue, { messageId, body: held.envelope.body, properties: { replayOf: held.entry.id } });
      await this.remove(queue, held);
      return { id: held.entry.id, outcome: 'replayed', replayMessageId: messageId };
    });
  }

  purge(ids: readonly string[]): Promise<DeadLetterOutcome[]> {
    return this.settle(ids, async (queue, held) => {
      await this.remove(queue, held);
      return { id: held.entry.id, outcome: 'purged' };
    });
  }

  /** Walks each queue named by `ids` until all its ids are found, applies `act` to them, puts the rest back. */
  private async settle(
    ids: readonly string[],
    act: (queue: QueueName, held: Held) => Promise<DeadLetterOutcome>,
  ): Promise<DeadLetterOutcome[]> {
    const outcomes = new Map<string, DeadLetterOutcome>();
    for (const queue of QUEUE_NAMES) {
      const wanted = new Set(ids.filter((id) => parseDeadLetterId(id)?.queue === queue && parseDeadLetterId(id)?.source === 'poison'));
      if (wanted.size === 0) continue;
      const walk = await this.walk(queue, (found) => [...wanted].every((id) => found.has(id)));
      const rest: Held[] = [];
      try {
        for (const held of walk.held) {
          if (wanted.has(held.entry.id) && !outcomes.has(held.entry.id)) outcomes.set(held.entry.id, await act(queue, held));
          else rest.push(held);
        }
      } finally {
        await this.release(queue, rest);
      }
    }
    return ids.map((id) => outcomes.get(id) ?? { id, outcome: 'not-found' });
  }

  /** Receives `<queue>-poison` in batches until it is empty, a message comes round again, `done` holds or the scan bound. */
  private async walk(queue: QueueName, done: (found: Set<string>) => boolean): Promise<{ held: Held[]; limitReached: boolean }> {
    const client = this.poison(queue);
    const byId = new Map<string, Held>();
    let limitReached = false;
    while (!done(new Set(byId.keys()))) {
      const room = this.limits.scanMax - byId.size;
      if (room <= 0) {
        limitReached = true;
        break;
      }
      const response = await guard(`receiving from ${client.name}`, () =>
        client.receiveMessages({ numberOfMessages: Math.min(32, room), visibilityTimeout: SCAN_HIDE_SECONDS }),
      );
      const items = response.receivedMessageItems;
      let cameRound = items.length === 0;
      for (const item of items) {
        const held = this.toHeld(queue, item.messageId, item.popReceipt, item.messageText, item.insertedOn.getTime());
        cameRound ||= byId.has(held.entry.id);
        byId.set(held.entry.id, held);
      }
      if (cameRound) break;
    }
    const held = [...byId.values()].sort((a, b) => a.entry.firstSeenMs - b.entry.firstSeenMs || compareText(a.entry.id, b.entry.id));
    return { held, limitReached };
  }

  private toHeld(queue: QueueName, storageId: string, popReceipt: string, text: string, insertedMs: number): Held {
    const decoded = decodeEnvelope(text);
    const id = deadLetterId({ queue, source: 'poison', key: storageId });
    if (!('envelope' in decoded)) {
      const entry: DeadLetterEntry = {
        id,
        queue,
        source: 'poison',
        reason: 'UnreadableMessage',
        description: decoded.problem,
        messageId: storageId,
        firstSeenMs: insertedMs,
        ...bodyPreview(text, this.limits.previewBytes),
      };
      return { storageId, popReceipt, entry };
    }
    const { envelope } = decoded;
    const originalMessageId = propertyText(envelope.properties.originalMessageId);
    const entry: DeadLetterEntry = {
      id,
      queue,
      source: 'poison',
      reason: propertyText(envelope.properties.deadLetterReason) ?? 'Unknown',
      description: propertyText(envelope.properties.deadLetterErrorDescription) ?? '',
      messageId: envelope.messageId,
      ...(originalMessageId === undefined ? {} : { originalMessageId }),
      firstSeenMs: envelope.enqueuedMs,
      ...bodyPreview(envelope.body, this.limits.previewBytes),
    };
    return { storageId, popReceipt, entry, envelope };
  }

  private async remove(queue: QueueName, held: Held): Promise<void> {
    const client = this.poison(queue);
    await guard(`deleting ${held.entry.id}`, () => client.deleteMessage(held.storageId, held.popReceipt));
  }

  /** Makes walked messages visible again at once (one deleted meanwhile is no concern). */
  private async release(queue: QueueName, held: readonly Held[]): Promise<void> {
    const client = this.poison(queue);
    for (let i = 0; i < held.length; i += 16) {
      await Promise.all(
        held.slice(i, i + 16).map(async (h) => {
          try {
            await guard(`putting back ${h.entry.id}`, () => client.updateMessage(h.storageId, h.popReceipt, undefined, 0));
          } catch (error) {
            if (!(error instanceof NotFoundError)) throw error;
          }
        }),
      );
    }
  }

  private poison(queue: QueueName): QueueClient {
    return this.service.getQueueClient(poisonQueueName(this.queues[queue]));
  }
}

interface Cursor {
  queue: QueueName;
  firstSeenMs: number;
  id: string;
}

function cursorOf(entry: DeadLetterEntry): string {
  return `${entry.firstSeenMs}@${entry.id}`;
}

function parseCursor(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  const at = cursor.indexOf('@');
  const firstSeenMs = Number(cursor.slice(0, at));
  const key = parseDeadLetterId(cursor.slice(at + 1));
  if (at < 0 || !Number.isFinite(firstSeenMs) || !key) {
    throw new ValidationError(`after: not a page cursor of this store: ${cursor}`, [
      { path: 'after', message: `not a page cursor of this store: ${cursor}` },
    ]);
  }
  return { queue: key.queue, firstSeenMs, id: cursor.slice(at + 1) };
}

function isAfter(entry: DeadLetterEntry, cursor: Cursor): boolean {
  if (entry.queue !== cursor.queue) return true; // earlier queues were skipped
  return entry.firstSeenMs > cursor.firstSeenMs || (entry.firstSeenMs === cursor.firstSeenMs && compareText(entry.id, cursor.id) > 0);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateStorageError(error, what);
  }
}
