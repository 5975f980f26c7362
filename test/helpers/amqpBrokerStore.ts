/**
 * The queue side of the AMQP broker double (see amqpBroker.ts): stored
 * messages, scheduled releases, peekLock deliveries and their settlement.
 * TEST DOUBLE, NOT A BROKER: in memory, no lock expiry, no duplicate detection.
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
}

interface Stored {
  record: BrokerMessageRecord;
  amqp: Message;
  timer?: NodeJS.Timeout;
}

/** How long a delivered message's lock claims to last; the double never expires locks. */
const LOCK_MS = 300_000;

export class BrokerStore {
  readonly messages: BrokerMessageRecord[] = [];
  private readonly ready = new Map<string, Stored[]>();
  private readonly locked = new Map<Delivery, Stored>();
  private readonly bySequence = new Map<number, Stored>();
  private nextSequence = 1;

  /** @param consumersOf the open links that receive from `queue`. */
  constructor(private readonly consumersOf: (queue: string) => Sender[]) {}

  /** Stores a message; one with `x-opt-scheduled-enqueue-time` waits for that wall time. Returns its sequence number. */
  enqueue(queue: string, amqp: Message, via: BrokerMessageRecord['via']): number {
    const scheduled = record(amqp.message_annotations)['x-opt-scheduled-enqueue-time'];
    const messageId = amqp.message_id;
    const entry: Stored = {
      amqp,
      record: {
        queue,
        via,
        sequenceNumber: this.nextSequence++,
        deliveries: 0,
        state: 'scheduled',
        messageId: messageId === undefined ? undefined : Buffer.isBuffer(messageId) ? messageId.toString('hex') : String(messageId),
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
    const entry = delivery && this.locked.get(delivery);
    if (!delivery || !entry) return; // an outcome for one of the double's replies
    this.locked.delete(delivery);
    // Settle with the peer's own outcome: a settled disposition without a state confuses rhea.
    const peerOutcome = delivery.remote_state as { described?: () => unknown } | undefined;
    delivery.update(true, peerOutcome?.described?.());
    if (outcome === 'ready') this.makeReady(entry);
    else entry.record.state = outcome;
  }

  /** Puts back every locked message delivered over a matching link (closed link or connection). */
  unlock(match: (sender: Sender) => boolean): void {
    for (const [delivery, entry] of [...this.locked]) {
      if (!match(delivery.link as Sender)) continue;
      this.locked.delete(delivery);
      this.makeReady(entry);
    }
  }

  close(): void {
    for (const entry of this.bySequence.values()) clearTimeout(entry.timer);
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
    const nowMs = Date.now();
    const annotations = {
      ...record(entry.amqp.message_annotations),
      'x-opt-sequence-number': rhea.types.wrap_long(entry.record.sequenceNumber),
      'x-opt-enqueued-time': new Date(nowMs),
      'x-opt-locked-until': new Date(nowMs + LOCK_MS),
    };
    // Header delivery-count is the number of earlier attempts (AMQP); a 16-byte tag becomes the SDK's lock token.
    const message = { ...entry.amqp, delivery_count: entry.record.deliveries, message_annotations: annotations };
    entry.record.state = 'locked';
    entry.record.deliveries += 1;
    this.locked.set(sender.send(message, rhea.string_to_uuid(randomUUID())), entry);
  }
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
