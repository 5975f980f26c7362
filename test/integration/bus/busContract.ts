/**
 * The MessageBus conformance suite: one set of expectations, run against every
 * adapter (as BullMQ runs one suite against each of its adapters). An adapter
 * passes when what a receiver sees is what the sender sent, scheduled
 * messages wait for their time on the responder's clock, dead-lettered
 * messages land in the poison queue with their reason, and the delivery
 * contract holds (docs/architecture.md): a throw is an abandon, redelivered at
 * once and counted; `maxDeliveryCount` failures dead-letter the message with
 * `MaxDeliveryCountExceeded`; a handler that outlives its lock sees the
 * message again; a second send of one id within the window is dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBus, MessageProperties, QueueName } from '../../../shared/bus/port.js';
import type { Clock } from '../../../shared/clock.js';

/** One delivery as the receiving side saw it. */
export interface Delivered {
  body: unknown;
  messageId: string;
  properties: MessageProperties | undefined;
  /** The responder clock when the receiver got it. */
  clockMs: number;
  /** 1 on the first delivery. */
  deliveryCount: number;
  /** Wall time when the receiver got it. */
  wallMs: number;
}

/** What the receiving side does with a delivery after recording it: resolve completes, a throw abandons. */
export type Behaviour = (delivered: Delivered) => Promise<void>;

/** A message the bus itself dead-lettered (Service Bus's dead-letter queue, or the local poison queue). */
export interface DeadLettered {
  messageId: string | undefined;
  reason: unknown;
}

/** A message found in a poison queue. */
export interface PoisonCopy {
  body: unknown;
  messageId: string | undefined;
  properties: Record<string, unknown>;
}

export interface BusHarness {
  bus: MessageBus;
  /** The responder's clock; a ScaledClock so schedules take little wall time. */
  clock: Clock;
  /** Starts receiving from `queue` (idempotent) and returns the live list of deliveries. */
  deliveries(queue: QueueName): Delivered[];
  /** What is in `<queue>-poison` now. */
  poisoned(queue: QueueName): Promise<PoisonCopy[]>;
  /** The adapter's name for the source queue, as written in `sourceQueue`. */
  physicalName(queue: QueueName): string;
  /** From now on, each delivery of `queue` runs `behaviour` after being recorded. */
  behave(queue: QueueName, behaviour: Behaviour): void;
  /** What the bus dead-lettered of `queue` after too many failed deliveries. */
  deadLettered(queue: QueueName): Promise<DeadLettered[]>;
  /** Deliveries after which a failing message is dead-lettered. */
  maxDeliveryCount: number;
  /** Wall ms a delivery stays locked to its receiver. */
  lockWallMs: number;
  close(): Promise<void>;
}

const sleep = (wallMs: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, wallMs));

/** Polls every 10 ms of wall time until `predicate` holds; fails after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function describeBusContract(adapter: string, makeHarness: () => Promise<BusHarness>): void {
  describe(`MessageBus contract: ${adapter}`, () => {
    let h: BusHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('delivers the body, messageId and properties unchanged', async () => {
      const got = h.deliveries('alerts');
      const body = { alertId: 'da-1', nested: { list: [1, 'two', null], unicode: 'é✓' } };
      await h.bus.send('alerts', { body, messageId: 'alert:da-1', properties: { runId: 'r1', attempt: 2, urgent: true } });
      await waitUntil(() => got.length >= 1, 10_000, 'delivery');
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ body, messageId: 'alert:da-1', properties: { runId: 'r1', attempt: 2, urgent: true } });
    });

    it('holds a scheduled message until notBeforeMs on the responder clock, then delivers it', async () => {
      const got = h.deliveries('polls');
      const notBeforeMs = h.clock.nowMs() + 90_000; // 1.5 s of wall time at 60x
      await h.bus.send('polls', { body: { poll: 1 }, messageId: 'poll:later', notBeforeMs });
      await h.bus.send('polls', { body: { poll: 0 }, messageId: 'poll:now' });
      await waitUntil(() => got.some((d) => d.messageId === 'poll:now'), 10_000, 'immediate delivery');
      await waitUntil(() => got.some((d) => d.messageId === 'poll:later'), 15_000, 'scheduled delivery');
      const later = got.find((d) => d.messageId === 'poll:later');
      expect(later?.clockMs).toBeGreaterThanOrEqual(notBeforeMs);
      expect(got.map((d) => d.messageId)).toEqual(['poll:now', 'poll:later']);
    });

    it('delivers at once when notBeforeMs is already past', async () => {
      const got = h.deliveries('actions');
      await h.bus.send('actions', { body: { a: 1 }, messageId: 'action:past', notBeforeMs: h.clock.nowMs() - 60_000 });
      await waitUntil(() => got.length >= 1, 10_000, 'delivery');
      expect(got[0]?.messageId).toBe('action:past');
    });

    it('dead-letters the body to the poison queue with its reason', async () => {
      const body = { runId: 'r9', deviceId: 'd9', junk: [1, 2, 3] };
      await h.bus.deadLetter('collect', body, {
        reason: 'MalformedCollect',
        description: 'commandIndex: expected a number',
        originalMessageId: 'collect:r9:d9:0',
      });
      let copies: PoisonCopy[] = [];
      await waitUntil(async () => (copies = await h.poisoned('collect')).length >= 1, 10_000, 'poison copy');
      expect(copies).toHaveLength(1);
      expect(copies[0]?.body).toEqual(body);
      expect(copies[0]?.messageId).toBe('collect:r9:d9:0');
      expect(copies[0]?.properties).toMatchObject({
        deadLetterReason: 'MalformedCollect',
        deadLetterErrorDescription: 'commandIndex: expected a number',
        originalMessageId: 'collect:r9:d9:0',
        sourceQueue: h.physicalName('collect'),
      });
    });

    it('abandons a delivery whose handler throws: delivered again at once, the delivery counted', async () => {
      const got = h.deliveries('collect');
      h.behave('collect', (d) =>
        d.messageId === 'collect:flaky' && d.deliveryCount === 1 ? Promise.reject(new Error('a bug')) : Promise.resolve(),
      );
      await h.bus.send('collect', { body: { flaky: true }, messageId: 'collect:flaky' });
      await waitUntil(() => got.filter((d) => d.messageId === 'collect:flaky').length >= 2, 10_000, 'the redelivery');
      const [first, second] = got.filter((d) => d.messageId === 'collect:flaky');
      expect([first?.deliveryCount, second?.deliveryCount]).toEqual([1, 2]);
      expect((second?.wallMs ?? 0) - (first?.wallMs ?? 0)).toBeLessThan(800); // no backoff: the old local consumer waited a second
    });

    it('dead-letters a message with MaxDeliveryCountExceeded when its last allowed delivery fails', async () => {
      const got = h.deliveries('collect');
      h.behave('collect', (d) => (d.messageId === 'collect:broken' ? Promise.reject(new Error('always broken')) : Promise.resolve()));
      await h.bus.send('collect', { body: { broken: true }, messageId: 'collect:broken' });
      let letters: DeadLettered[] = [];
      const found = async (): Promise<boolean> =>
        (letters = (await h.deadLettered('collect')).filter((l) => l.messageId === 'collect:broken')).length > 0;
      await waitUntil(found, 15_000, 'the dead letter');
      expect(letters).toEqual([{ messageId: 'collect:broken', reason: 'MaxDeliveryCountExceeded' }]);
      const counts = got.filter((d) => d.messageId === 'collect:broken').map((d) => d.deliveryCount);
      expect(counts).toEqual(Array.from({ length: h.maxDeliveryCount }, (_, i) => i + 1));
    });

    it('delivers a message again when its handler outlives the lock, and the late completion loses nothing', async () => {
      const got = h.deliveries('actions');
      h.behave('actions', (d) =>
        d.messageId === 'action:slow' && d.deliveryCount === 1 ? sleep(h.lockWallMs + 1_500) : Promise.resolve(),
      );
      await h.bus.send('actions', { body: { slow: true }, messageId: 'action:slow' });
      await waitUntil(() => got.filter((d) => d.messageId === 'action:slow').length >= 2, h.lockWallMs + 10_000, 'the second delivery');
      await sleep(h.lockWallMs + 2_000); // the first handler ends and its completion fails; nothing comes back
      expect(got.filter((d) => d.messageId === 'action:slow').map((d) => d.deliveryCount)).toEqual([1, 2]);
      expect((await h.deadLettered('actions')).filter((l) => l.messageId === 'action:slow')).toEqual([]);
    });

    it('drops a second send of the same message id within the duplicate detection window', async () => {
      const got = h.deliveries('alerts');
      await h.bus.send('alerts', { body: { copy: 1 }, messageId: 'alert:twice' });
      await h.bus.send('alerts', { body: { copy: 2 }, messageId: 'alert:twice' });
      await h.bus.send('alerts', { body: { marker: true }, messageId: 'alert:after-twice' });
      await waitUntil(() => got.some((d) => d.messageId === 'alert:after-twice'), 10_000, 'the marker');
      await sleep(500);
      expect(got.filter((d) => d.messageId === 'alert:twice').map((d) => d.body)).toEqual([{ copy: 1 }]);
    });

    it('delivers a re-send of the same body under a new message id', async () => {
      const got = h.deliveries('alerts');
      await h.bus.send('alerts', { body: { again: 1 }, messageId: 'alert:again' });
      await h.bus.send('alerts', { body: { again: 1 }, messageId: 'alert:again.retry-1' });
      await waitUntil(() => got.some((d) => d.messageId === 'alert:again.retry-1'), 10_000, 'the re-send');
      await waitUntil(() => got.some((d) => d.messageId === 'alert:again'), 10_000, 'the first send');
    });
  });
}
