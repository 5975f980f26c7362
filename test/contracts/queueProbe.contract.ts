/**
 * The QueueProbe conformance suite (shared/bus/port.ts), run against both
 * bus adapters (test/integration/bus/queueProbe.test.ts): a look counts
 * what a queue holds and its dead letters, says how exact each count is,
 * measures the oldest ready message's wait and not a scheduled one's, says
 * when its look was bounded, and changes nothing (two looks agree, and the
 * messages are still there to be delivered).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBus, MessageCount, QueueName, QueueProbe } from '../../shared/bus/port.js';

export interface QueueProbeHarness {
  probe: QueueProbe;
  /** Sends and dead-letters into the queues the probe looks at. */
  bus: MessageBus;
  /** The responder's clock, for `notBeforeMs`. */
  nowMs(): number;
  /** Lets `ms` pass on the clock the probe measures ages with. */
  age(ms: number): void;
  /** The most messages the adapter's look sees of one place before it is bounded. */
  lookBound: number;
  /** Fills `queue`'s native dead-letter queue with one message (Service Bus only). */
  nativeDeadLetter?: (queue: QueueName) => Promise<void>;
  /** How many messages of `queue` a receiver could still take (the look took none). */
  deliverable(queue: QueueName): Promise<number>;
  close(): Promise<void>;
}

/** `count` read as the adapter says it may be read: exact means equal; at least and approximate never below. */
function expectCount(actual: MessageCount, expected: number): void {
  if (actual.countIs === 'exact') expect(actual.count).toBe(expected);
  else expect(actual.count).toBeGreaterThanOrEqual(expected);
}

export function describeQueueProbeContract(adapter: string, makeHarness: () => Promise<QueueProbeHarness>): void {
  describe(`QueueProbe contract: ${adapter}`, () => {
    let h: QueueProbeHarness;
    beforeAll(async () => {
      h = await makeHarness();
    }, 60_000);
    afterAll(async () => h?.close());

    let n = 0;
    const send = (queue: QueueName, notBeforeMs?: number) =>
      h.bus.send(queue, { messageId: `probe-${++n}`, body: { n }, ...(notBeforeMs === undefined ? {} : { notBeforeMs }) });

    it('sees an empty queue as empty, with no oldest message and no dead letters', async () => {
      const look = await h.probe.look('polls');
      expect(look.messages).toMatchObject({ count: 0, oldestReadyAgeIs: 'exact' });
      expect(look.messages.oldestReadyAgeMs).toBeUndefined();
      expect(look.deadLetters.poison.count).toBe(0);
      expect(look.deadLetters.native?.count ?? 0).toBe(0);
    });

    it('counts the messages and the dead letters of a queue, and how long the oldest ready one has waited', async () => {
      await send('actions');
      h.age(90_000);
      await send('actions');
      await h.bus.deadLetter('actions', { bad: true }, { reason: 'MalformedMessage', description: 'x', originalMessageId: 'dl-1' });
      const look = await h.probe.look('actions');
      expectCount(look.messages, 2);
      expectCount(look.deadLetters.poison, 1);
      expect(look.messages.oldestReadyAgeMs).toBeGreaterThanOrEqual(90_000);
      expect(look.messages.oldestReadyAgeMs).toBeLessThan(90_000 + 30_000);
    });

    it('counts a scheduled message but does not take it as waiting', async () => {
      await send('collect', h.nowMs() + 3_600_000);
      const look = await h.probe.look('collect');
      expectCount(look.messages, 1);
      expect(look.messages.oldestReadyAgeMs).toBeUndefined();
    });

    it('changes nothing: a second look sees the same, and every message is still there to be delivered', async () => {
      const first = await h.probe.look('actions');
      const second = await h.probe.look('actions');
      for (const look of [first, second]) {
        expectCount(look.messages, 2);
        expectCount(look.deadLetters.poison, 1);
      }
      expect(second.deadLetters).toEqual(first.deadLetters);
      expect(await h.deliverable('actions')).toBe(2);
    });

    it('says when its look was bounded: more messages than it sees make the oldest wait "at least"', async () => {
      for (let i = 0; i <= h.lookBound; i++) await send('alerts');
      const look = await h.probe.look('alerts');
      expect(look.messages.count).toBeGreaterThanOrEqual(h.lookBound);
      expect(look.messages.countIs).not.toBe('exact');
      expect(look.messages.oldestReadyAgeIs).toBe('atLeast');
    });

    it('counts the native dead-letter queue where the bus has one', async () => {
      if (!h.nativeDeadLetter) {
        expect((await h.probe.look('polls')).deadLetters.native).toBeUndefined();
        return;
      }
      await h.nativeDeadLetter('polls');
      const look = await h.probe.look('polls');
      expect(look.deadLetters.native).toEqual({ count: 1, countIs: 'exact' });
      expect(look.messages.count).toBe(0);
    });
  });
}
