/**
 * The dead-letter port on Service Bus: each queue's `<queue>-poison` queue
 * (source `poison`) and its native `<queue>/$DeadLetterQueue` (source
 * `native`: messages the broker moved after `maxDeliveryCount` deliveries).
 *
 * Design notes:
 * - **Listing peeks**, a page at a time by sequence number; the cursor is the
 *   last entry's id, which holds its sequence number. Peeking locks nothing.
 *   The SDK keeps one peek position per entity and client, shared by every
 *   receiver of that client, and a start position must be the SDK's `Long`
 *   (the `long` package, which this project does not declare). So each list
 *   peeks over a client of its own (`peekClient`, closed after): its first
 *   peek starts at the front, and that message's number, shifted, is the
 *   `Long` a later page starts from.
 * - **Replay and purge receive** in peekLock until every chosen sequence number
 *   is found (Service Bus cannot receive one message by number), hold the
 *   locks of the others and abandon them at the end. Abandoning counts as a
 *   delivery: a dead-letter queue ignores that, but a `-poison` queue moves a
 *   message to its own `$DeadLetterQueue` after its `maxDeliveryCount`
 *   (10 in infra) — so choose ids near the front, or `--all`, on a long poison
 *   queue. A walk reads at most `scanMax` messages.
 * - **Replay** sends the body to the source queue under {@link replayMessageId}
 *   (new, so duplicate detection does not drop it as the original; derived
 *   from the dead letter's sequence number, so a replay retried after a crash
 *   between send and complete is dropped as a duplicate), then completes the
 *   dead letter.
 */
import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import {
  bodyPreview,
  deadLetterId,
  locationOrder,
  matchesFilter,
  parseDeadLetterId,
  propertyText,
  replayMessageId,
} from '../bus/deadLetterEntry.js';
import {
  DEAD_LETTER_SOURCES,
  type DeadLetterEntry,
  type DeadLetterFilter,
  type DeadLetterListing,
  type DeadLetterOutcome,
  type DeadLetterPage,
  type DeadLetterSource,
  type DeadLetterStore,
} from '../bus/deadLetterStore.js';
import { poisonQueueName } from '../bus/poison.js';
import type { MessageBus } from '../bus/port.js';
import { QUEUE_NAMES, type QueueMap, type QueueName } from '../bus/queues.js';
import { PermanentError, ValidationError } from '../errors.js';
import { translateServiceBusError, type SequenceNumber } from './serviceBusBus.js';
import type { DeadLetterStoreLimits } from './storageQueueDeadLetters.js';

/** How long a replay or purge waits for the next batch of a dead-letter queue before taking it as read to the end. */
const RECEIVE_WAIT_MS = 2_000;
/** Messages per peek request. */
const PEEK_BATCH = 100;

interface Location {
  queue: QueueName;
  source: DeadLetterSource;
}

export class ServiceBusDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly client: ServiceBusClient,
    private readonly queues: QueueMap,
    private readonly bus: MessageBus,
    private readonly limits: DeadLetterStoreLimits,
    /** Makes a client for one listing (see the design notes); the store closes it. */
    private readonly peekClient: () => ServiceBusClient,
  ) {}

  async list(filter: DeadLetterFilter, page: DeadLetterPage): Promise<DeadLetterListing> {
    const after = page.after === undefined ? undefined : parseCursor(page.after);
    const entries: DeadLetterEntry[] = [];
    let scanLimitReached = false;
    const client = this.peekClient();
    try {
      for (const location of locations()) {
        if (entries.length > page.limit) break;
        if ((filter.queues && !filter.queues.includes(location.queue)) || (filter.source && filter.source !== location.source)) continue;
        if (after && locationOrder(location) < locationOrder(after)) continue;
        const from = after && locationOrder(location) === locationOrder(after) ? after.sequence + 1n : undefined;
        const peeked = await this.peek(client, location, from, (e) => matchesFilter(e, filter), page.limit + 1 - entries.length);
        entries.push(...peeked.entries);
        scanLimitReached ||= peeked.limitReached;
      }
    } finally {
      await client.close();
    }
    const shown = entries.slice(0, page.limit);
    const last = shown[shown.length - 1];
    return {
      entries: shown,
      ...(entries.length > page.limit && last ? { next: last.id } : {}),
      ...(scanLimitReached ? { scanLimitReached } : {}),
    };
  }

  replay(ids: readonly string[]): Promise<DeadLetterOutcome[]> {
    return this.settle(ids, async (location, receiver, message, id) => {
      const messageId = replayMessageId(messageIdOf(message) ?? id, sequenceOf(message).toString());
      await this.bus.send(location.queue, { messageId, body: message.body, properties: { replayOf: id } });
      await guard(`completing ${id}`, () => receiver.completeMessage(message));
      return { id, outcome: 'replayed', replayMessageId: messageId };
    });
  }

  purge(ids: readonly string[]): Promise<DeadLetterOutcome[]> {
    return this.settle(ids, async (_location, receiver, message, id) => {
      await guard(`completing ${id}`, () => receiver.completeMessage(message));
      return { id, outcome: 'purged' };
    });
  }

  /** Peeks `location` from `from` (or its start) until `wanted` entries pass `keep`, the end, or the scan bound. */
  private async peek(
    client: ServiceBusClient,
    location: Location,
    from: bigint | undefined,
    keep: (entry: DeadLetterEntry) => boolean,
    wanted: number,
  ): Promise<{ entries: DeadLetterEntry[]; limitReached: boolean }> {
    const receiver = this.receiver(location, client);
    const entries: DeadLetterEntry[] = [];
    let scanned = 0;
    try {
      // This client's first peek of the location starts at its front.
      let next = from === undefined ? undefined : await this.sequenceNumber(receiver, from);
      if (from !== undefined && next === undefined) return { entries, limitReached: false }; // the location is empty
      while (entries.length < wanted) {
        if (scanned >= this.limits.scanMax) return { entries, limitReached: true };
        const count = Math.min(PEEK_BATCH, this.limits.scanMax - scanned);
        const batch = await guard(`peeking ${entityName(this.queues, location)}`, () =>
          receiver.peekMessages(count, next === undefined ? {} : { fromSequenceNumber: next }),
        );
        if (batch.length === 0) break;
        scanned += batch.length;
        for (const message of batch) {
          const entry = this.toEntry(location, message);
          if (keep(entry) && entries.length < wanted) entries.push(entry);
        }
        const last = batch[batch.length - 1];
        next = last ? sequenceOf(last).add(1) : undefined;
      }
      return { entries, limitReached: false };
    } finally {
      await receiver.close();
    }
  }

  /**
   * The SDK's `Long` for `value` (the project does not declare the `long`
   * package): derived from the first peeked message's number. Undefined when
   * the location holds nothing.
   */
  private async sequenceNumber(receiver: ServiceBusReceiver, value: bigint): Promise<SequenceNumber | undefined> {
    const [first] = await guard('peeking the first dead letter', () => receiver.peekMessages(1));
    return first ? sequenceOf(first).multiply(0).add(value.toString()) : undefined;
  }

  /** Receives each location named by `ids` until its ids are found, applies `act`, abandons the rest. */
  private async settle(
    ids: readonly string[],
    act: (location: Location, receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage, id: string) => Promise<DeadLetterOutcome>,
  ): Promise<DeadLetterOutcome[]> {
    const outcomes = new Map<string, DeadLetterOutcome>();
    for (const location of locations()) {
      const wanted = new Set(
        ids.filter((id) => {
          const key = parseDeadLetterId(id);
          return key?.queue === location.queue && key.source === location.source;
        }),
      );
      if (wanted.size === 0) continue;
      const receiver = this.receiver(location);
      const held: ServiceBusReceivedMessage[] = [];
      try {
        let scanned = 0;
        while ([...wanted].some((id) => !outcomes.has(id)) && scanned < this.limits.scanMax) {
          const batch = await guard(`receiving from ${entityName(this.queues, location)}`, () =>
            receiver.receiveMessages(Math.min(32, this.limits.scanMax - scanned), { maxWaitTimeInMs: RECEIVE_WAIT_MS }),
          );
          if (batch.length === 0) break;
          scanned += batch.length;
          for (const message of batch) {
            const id = deadLetterId({ ...location, key: sequenceOf(message).toString() });
            if (wanted.has(id) && !outcomes.has(id)) outcomes.set(id, await act(location, receiver, message, id));
            else held.push(message);
          }
        }
      } finally {
        for (const message of held) await guard('abandoning a dead letter not chosen', () => receiver.abandonMessage(message));
        await receiver.close();
      }
    }
    return ids.map((id) => outcomes.get(id) ?? { id, outcome: 'not-found' });
  }

  private toEntry(location: Location, message: ServiceBusReceivedMessage): DeadLetterEntry {
    const props = message.applicationProperties ?? {};
    const messageId = messageIdOf(message) ?? '';
    const poison = location.source === 'poison';
    const originalMessageId = poison ? propertyText(props.originalMessageId) : messageId;
    return {
      id: deadLetterId({ ...location, key: sequenceOf(message).toString() }),
      ...location,
      reason: (poison ? propertyText(props.deadLetterReason) : message.deadLetterReason) ?? 'Unknown',
      description: (poison ? propertyText(props.deadLetterErrorDescription) : message.deadLetterErrorDescription) ?? '',
      messageId,
      ...(originalMessageId ? { originalMessageId } : {}),
      firstSeenMs: message.enqueuedTimeUtc?.getTime() ?? 0,
      deliveryCount: message.deliveryCount ?? 0,
      ...bodyPreview(message.body, this.limits.previewBytes),
    };
  }

  private receiver(location: Location, client = this.client): ServiceBusReceiver {
    return location.source === 'poison'
      ? client.createReceiver(poisonQueueName(this.queues[location.queue]), { receiveMode: 'peekLock' })
      : client.createReceiver(this.queues[location.queue], { receiveMode: 'peekLock', subQueueType: 'deadLetter' });
  }
}

/** Every place a dead letter can lie, in listing order. */
function locations(): Location[] {
  return QUEUE_NAMES.flatMap((queue) => DEAD_LETTER_SOURCES.map((source) => ({ queue, source })));
}

function entityName(queues: QueueMap, location: Location): string {
  return location.source === 'poison' ? poisonQueueName(queues[location.queue]) : `${queues[location.queue]}/$DeadLetterQueue`;
}

function parseCursor(cursor: string): Location & { sequence: bigint } {
  const key = parseDeadLetterId(cursor);
  if (!key || !/^\d+$/.test(key.key)) {
    throw new ValidationError(`after: not a page cursor of this store: ${cursor}`, [
      { path: 'after', message: `not a page cursor of this store: ${cursor}` },
    ]);
  }
  return { queue: key.queue, source: key.source, sequence: BigInt(key.key) };
}

function sequenceOf(message: ServiceBusReceivedMessage): SequenceNumber {
  if (!message.sequenceNumber) throw new PermanentError('Service Bus returned a dead letter without a sequence number');
  return message.sequenceNumber;
}

function messageIdOf(message: ServiceBusReceivedMessage): string | undefined {
  const id = message.messageId;
  return id === undefined ? undefined : Buffer.isBuffer(id) ? id.toString('hex') : String(id);
}

async function guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateServiceBusError(error, what);
  }
}
