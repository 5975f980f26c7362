/**
 * The MessageBus conformance suite: one set of expectations, run against every
 * adapter (as BullMQ runs one suite against each of its adapters). An adapter
 * passes when what a receiver sees is what the sender sent, scheduled
 * messages wait for their time on the responder's clock, and dead-lettered
 * messages land in the poison queue with their reason.
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
  close(): Promise<void>;
}

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
  });
}
