/**
 * The queue side of the AMQP broker double (see amqpBroker.ts): stored
 * messages, scheduled releases, peekLock deliveries and their settlement,
 * peeking by sequence number, and each queue's dead-letter subqueue
 * `<queue>/$DeadLetterQueue` (a rejected delivery moves there with the
 * client's DeadLetterReason and DeadLetterErrorDescription as application
 * properties, as Service Bus does; so does a message abandoned
 * `maxDeliveryCount` times, with reason `MaxDeliveryCountExceeded`). A
 * dead-lettered message keeps its enqueued time and gets a new sequence
 * number; callers should rely only on numbers being unique within an entity.
 * Locks expire when the double is given a lock duration: the message is
 * available again (or dead-lettered past `maxDeliveryCount`), and the late
 * settlement of the expired delivery is refused with
 * `com.microsoft:message-lock-lost`; `renew-lock` extends a live lock. With
 * duplicate detection, a second send of one message id to a queue within the
 * window is accepted and dropped, as Service Bus does.
 * TEST DOUBLE, NOT A BROKER: in memory.
 */
import { randomUUID } from 'node:crypto';
import rhea from 'rhea';
import type { Delivery, Message, Sender } from 'rhea';

/** Where a message stands in the double. */
export type BrokerMessageState = 'scheduled' | 'ready' | 'locked' | 'completed' | 'cancelled' | 'dead-lettered';

/** What the double saw of one message. */
export interface BrokerMessageRecord {
  queue: string;
  sequenceNumber: number;
  messageId: string | undefined;
  contentType: string | undefined;
  applicationProperties: Record<string, unknown>;
  /** Parsed JSON when the body was a JSON data section, else the raw AMQP body. */
  body: unknown;
  scheduledEnqueueTimeUtc: Date | undefined;
  /** A plain transfer (maybe annotated with a schedule) or the `$management` schedule operation. */
  via: 'transfer' | 'schedule-message';
  state: BrokerMessageState;
  /** Deliveries attempted so far. */
  deliveries: number;
  /** Wall time the message was stored (kept when it is dead-lettered). */
  enqueuedTimeMs: number;
}

interface Stored {
  record: BrokerMessageRecord;
  amqp: Message;
  timer?: NodeJS.Timeout;
  lockTimer?: NodeJS.Timeout;
}

/** How long a delivered message's lock claims to last when locks do not expire. */
const LOCK_MS = 300_000;

export interface BrokerStoreOptions {
  /** Deliveries after which an abandoned message is dead-lettered; omitted: never. */
  maxDeliveryCount?: number;
  /** Wall ms a delivery's lock lasts; omitted: locks never expire. */
  lockDurationMs?: number;
  /** Duplicate detection: its window (wall ms), on these queues (omitted: every queue). */
  duplicateDetection?: { windowMs: number; queues?: readonly string[] };
}
/** The dead-letter subqueue's suffix, as the SDK addresses it. */
export const DEAD_LETTER_SUFFIX = '/$DeadLetterQueue';

export class BrokerStore {
  readonly messages: BrokerMessageRecord[] = [];
  private readonly ready = new Map<string, Stored[]>();
  /** Sends dropped by duplicate detection. */
  readonly duplicatesDropped: { queue: string; messageId: string }[] = [];
  private readonly locked = new Map<Delivery, Stored>();
  /** Deliveries whose lock expired before the client settled them. */
  private readonly expired = new Set<Delivery>();
  private readonly byLockToken = new Map<string, Delivery>();
  private readonly bySequence = new Map<number, Stored>();
  /** Per queue and message id: the wall time and sequence number of its first send in the window. */
  private readonly sentIds = new Map<string, { atMs: number; sequenceNumber: number }>();
  private nextSequence = 1;
  private readonly maxDeliveryCount?: number;

  /** @param consumersOf the open links that receive from `queue`. */
  constructor(
    private readonly consumersOf: (queue: string) => Sender[],
    private readonly options: BrokerStoreOptions = {},
  ) {
    this.maxDeliveryCount = options.maxDeliveryCount;
  }

  /**
   * A client's send: stored, unless duplicate detection drops it (then the
   * first copy's sequence number is returned, and nothing is stored).
   */
  accept(queue: string, amqp: Message, via: BrokerMessageRecord['via']): number {
    const dedup = this.options.duplicateDetection;
    const messageId = amqp.message_id === undefined ? undefined : idText(amqp.message_id);
    if (!dedup || messageId === undefined || (dedup.queues && !dedup.queues.includes(queue))) return this.enqueue(queue, amqp, via);
    const key = `${queue}\u0000${messageId}`;
    const seen = this.sentIds.get(key);
    if (seen && Date.now() - seen.atMs < dedup.windowMs) {
      this.duplicatesDropped.push({ queue, messageId });
      return seen.sequenceNumber;
    }
    const sequenceNumber = this.enqueue(queue, amqp, via);
    this.sentIds.set(key, { atMs: Date.now(), sequenceNumber });
    return sequenceNumber;
  }

  /** Extends the live locks of these tokens; false when one of them has expired or is unknown. */
  renew(tokens: readonly string[]): Date[] | undefined {
    const deliveries = tokens.map((t) => this.byLockToken.get(t));
    if (deliveries.some((d) => !d || !this.locked.has(d))) return undefined;
    return deliveries.flatMap((d) => {
      const entry = d && this.locked.get(d);
      return d && entry ? [this.lock(d, entry)] : [];
    });
  }

  /** Stores a message; one with `x-opt-scheduled-enqueue-time` waits for that wall time. Returns its sequence number. */
  enqueue(queue: string, amqp: Message, via: BrokerMessageRecord['via'], enqueuedTimeMs = Date.now()): number {
    const scheduled = record(amqp.message_annotations)['x-opt-scheduled-enqueue-time'];
    const entry: Stored = {
      amqp,
      record: {
        queue,
        via,
        sequenceNumber: this.nextSequence++,
        deliveries: 0,
        enqueuedTimeMs,
        state: 'scheduled',
        messageId: amqp.message_id === undefined ? undefined : idText(amqp.message_id),
        contentType: typeof amqp.content_type === 'string' ? amqp.content_type : undefined,
        applicationProperties: { ...record(amqp.application_properties) },
        body: jsonBody(amqp.body),
        scheduledEnqueueTimeUtc: scheduled instanceof Date ? scheduled : undefined,
      },
    };
    this.messages.push(entry.record);
    this.bySequence.set(entry.record.sequenceNumber, entry);
    this.releaseWhenDue(entry);
    return entry.record.sequenceNumber;
  }

  cancel(sequenceNumber: number): void {
    const entry = this.bySequence.get(sequenceNumber);
    if (entry?.record.state !== 'scheduled') return;
    clearTimeout(entry.timer);
    entry.record.state = 'cancelled';
  }

  /** Hands ready messages of `queue` to its receivers while they have credit. */
  pump(queue: string): void {
    const list = this.ready.get(queue) ?? [];
    for (const sender of this.consumersOf(queue)) {
      for (let next = list[0]; next && sender.sendable(); next = list[0]) {
        list.shift();
        this.deliver(sender, next);
      }
    }
  }

  /** The client disposed of a delivery: settle our side, which is what the SDK waits for. */
  settle(delivery: Delivery | undefined, outcome: 'completed' | 'dead-lettered' | 'ready'): void {
    if (delivery && this.expired.delete(delivery)) {
      // Too late: the lock expired and the message went back (Service Bus answers MessageLockLost).
      const error = { condition: 'com.microsoft:message-lock-lost', description: 'The lock supplied is invalid: it expired.' };
      // rhea types the outcome constructors loosely; this is `message.rejected({error}).described()`.
      const outcomes = rhea.message as unknown as { rejected(fields: { error: unknown }): { described(): unknown } };
      delivery.update(true, outcomes.rejected({ error }).described());
      return;
    }
    const entry = delivery && this.locked.get(delivery);
    if (!delivery || !entry) return; // an outcome for one of the double's replies
    this.unlockDelivery(delivery, entry);
    // Settle with the peer's own outcome: a settled disposition without a state confuses rhea.
    const peerOutcome = delivery.remote_state as { described?: () => unknown } | undefined;
    delivery.update(true, peerOutcome?.described?.());
    if (outcome === 'completed') entry.record.state = outcome;
    else if (outcome === 'dead-lettered') this.deadLetter(entry, record(record(record(peerOutcome).error).info));
    else this.release(entry);
  }

  /** An abandoned, unlocked or expired message: dead-lettered past maxDeliveryCount, else available again. */
  private release(entry: Stored): void {
    if (
      // A dead-letter queue keeps its messages whatever their delivery count.
      this.maxDeliveryCount !== undefined &&
      entry.record.deliveries >= this.maxDeliveryCount &&
      !entry.record.queue.endsWith(DEAD_LETTER_SUFFIX)
    ) {
      const description = `Message could not be consumed after ${this.maxDeliveryCount} delivery attempts.`;
      this.deadLetter(entry, { DeadLetterReason: 'MaxDeliveryCountExceeded', DeadLetterErrorDescription: description });
    } else this.makeReady(entry);
  }

  /** Up to `count` messages of `queue` still in it, from `fromSequence` on, each with the annotations a delivery carries. */
  peek(queue: string, fromSequence: number, count: number): Message[] {
    return this.messages
      .filter((m) => m.queue === queue && m.sequenceNumber >= fromSequence && ['ready', 'locked', 'scheduled'].includes(m.state))
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
      .slice(0, count)
      .flatMap((m) => {
        const entry = this.bySequence.get(m.sequenceNumber);
        return entry ? [this.annotated(entry, m.state === 'scheduled' ? { 'x-opt-message-state': 2 } : {})] : [];
      });
  }

  /** Puts back every locked message delivered over a matching link (closed link or connection). */
  unlock(match: (sender: Sender) => boolean): void {
    for (const [delivery, entry] of [...this.locked]) {
      if (!match(delivery.link as Sender)) continue;
      this.unlockDelivery(delivery, entry);
      this.makeReady(entry);
    }
  }

  close(): void {
    for (const entry of this.bySequence.values()) {
      clearTimeout(entry.timer);
      clearTimeout(entry.lockTimer);
    }
  }

  /** Locks (or relocks) a delivery for the lock duration; returns until when. */
  private lock(delivery: Delivery, entry: Stored): Date {
    const lockMs = this.options.lockDurationMs;
    clearTimeout(entry.lockTimer);
    if (lockMs !== undefined) {
      entry.lockTimer = setTimeout(() => {
        if (this.locked.get(delivery) !== entry) return;
        this.unlockDelivery(delivery, entry);
        this.expired.add(delivery);
        this.release(entry);
      }, lockMs);
    }
    return new Date(Date.now() + (lockMs ?? LOCK_MS));
  }

  private unlockDelivery(delivery: Delivery, entry: Stored): void {
    clearTimeout(entry.lockTimer);
    this.locked.delete(delivery);
    this.byLockToken.delete(lockTokenOf(delivery));
  }

  /** Moves a message to its queue's dead-letter subqueue, the reason in application properties. */
  private deadLetter(entry: Stored, info: Record<string, unknown>): void {
    entry.record.state = 'dead-lettered';
    const reasons = Object.fromEntries(
      ['DeadLetterReason', 'DeadLetterErrorDescription'].flatMap((k) => (typeof info[k] === 'string' ? [[k, info[k]]] : [])),
    );
    const amqp = { ...entry.amqp, application_properties: { ...record(entry.amqp.application_properties), ...reasons } };
    const sequence = this.enqueue(entry.record.queue + DEAD_LETTER_SUFFIX, amqp, entry.record.via, entry.record.enqueuedTimeMs);
    const moved = this.bySequence.get(sequence);
    if (moved) moved.record.deliveries = entry.record.deliveries;
  }

  /** Holds a scheduled message until its wall time (re-checked: timers may fire a hair early). */
  private releaseWhenDue(entry: Stored): void {
    const waitMs = (entry.record.scheduledEnqueueTimeUtc?.getTime() ?? 0) - Date.now();
    if (waitMs > 0) {
      entry.timer = setTimeout(() => this.releaseWhenDue(entry), waitMs + 1);
      return;
    }
    if (entry.record.state === 'scheduled') this.makeReady(entry);
  }

  private makeReady(entry: Stored): void {
    entry.record.state = 'ready';
    const list = this.ready.get(entry.record.queue) ?? [];
    list.push(entry);
    this.ready.set(entry.record.queue, list);
    this.pump(entry.record.queue);
  }

  private deliver(sender: Sender, entry: Stored): void {
    const lockedUntil = new Date(Date.now() + (this.options.lockDurationMs ?? LOCK_MS));
    const message = this.annotated(entry, { 'x-opt-locked-until': lockedUntil });
    entry.record.state = 'locked';
    entry.record.deliveries += 1;
    // A 16-byte tag becomes the SDK's lock token.
    const delivery = sender.send(message, rhea.string_to_uuid(randomUUID()));
    this.locked.set(delivery, entry);
    this.byLockToken.set(lockTokenOf(delivery), delivery);
    this.lock(delivery, entry);
  }

  /** The stored message with its sequence number, enqueued time and `extra` annotations; header delivery-count is the earlier attempts (AMQP). */
  private annotated(entry: Stored, extra: Record<string, unknown>): Message {
    const annotations = {
      ...record(entry.amqp.message_annotations),
      'x-opt-sequence-number': rhea.types.wrap_long(entry.record.sequenceNumber),
      'x-opt-enqueued-time': new Date(entry.record.enqueuedTimeMs),
      ...extra,
    };
    return { ...entry.amqp, delivery_count: entry.record.deliveries, message_annotations: annotations };
  }
}

/** A delivery's lock token as hex (its 16-byte tag; the SDK sends tokens back as UUIDs). */
function lockTokenOf(delivery: Delivery): string {
  return Buffer.from(delivery.tag).toString('hex');
}

/** A lock token from a `renew-lock` request (a 16-byte UUID buffer, or its text) as hex. */
export function lockTokenText(token: unknown): string {
  if (Buffer.isBuffer(token)) return token.toString('hex');
  return String(token).replace(/-/g, '').toLowerCase();
}

function idText(id: unknown): string {
  return Buffer.isBuffer(id) ? id.toString('hex') : String(id);
}

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** The SDK sends a JSON body as one AMQP data section; rhea decodes it as `{typecode: 0x75, content: Buffer}`. */
function jsonBody(body: unknown): unknown {
  const section = record(body);
  if (section.typecode !== 0x75 || !Buffer.isBuffer(section.content)) return body;
  try {
    return JSON.parse(section.content.toString('utf8')) as unknown;
  } catch {
    return section.content;
  }
}
