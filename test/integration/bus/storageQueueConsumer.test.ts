/**
 * StorageQueueMessageBus + QueueConsumer against a real Azurite: retries,
 * poisoning, early arrivals, the error vocabulary, concurrency and draining.
 */
import { randomUUID } from 'node:crypto';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../local/azurite.js';
import { QueueConsumer, type ConsumerEvent, type QueueConsumerOptions } from '../../../local/queueConsumer.js';
import { StorageQueueMessageBus, decodeEnvelope, encodeEnvelope } from '../../../shared/azure/storageQueueBus.js';
import { QUEUE_NAMES } from '../../../shared/bus/queues.js';
import { type DeliveryInfo, type QueueName } from '../../../shared/bus/port.js';
import { ScaledClock, unscaled, wallDelayFor, type Clock, type WallDelay } from '../../../shared/clock.js';
import { ThrottledError, ValidationError } from '../../../shared/errors.js';
import { waitUntil } from './busContract.js';

let azurite: RunningAzurite;
let service: QueueServiceClient;
const consumers: QueueConsumer[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
});
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
});
afterAll(async () => {
  await azurite?.stop();
});

/** A bus over fresh queues (names unique per call). */
async function newBus(clock: Clock = new ScaledClock({ scale: 1 }), wallDelay: WallDelay = unscaled): Promise<StorageQueueMessageBus> {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const names = Object.fromEntries(QUEUE_NAMES.map((q) => [q, `${prefix}-${q}`])) as Record<QueueName, string>;
  const bus = new StorageQueueMessageBus(service, names, clock, wallDelay);
  await bus.ensureQueues();
  return bus;
}

/** A started consumer with fast polling; its events are collected. */
function consume(
  bus: StorageQueueMessageBus,
  queue: QueueName,
  handler: (body: unknown, delivery: DeliveryInfo) => Promise<void>,
  options: QueueConsumerOptions = {},
): { consumer: QueueConsumer; events: ConsumerEvent[] } {
  const events: ConsumerEvent[] = [];
  const consumer = new QueueConsumer(bus, { pollIntervalMs: 20, onEvent: (e) => events.push(e), ...options });
  consumer.register(queue, handler).start();
  consumers.push(consumer);
  return { consumer, events };
}

const visibleCount = async (bus: StorageQueueMessageBus, queue: QueueName): Promise<number> =>
  (await service.getQueueClient(bus.queues[queue]).peekMessages({ numberOfMessages: 32 })).peekedMessageItems.length;

describe('StorageQueueMessageBus', () => {
  it('writes base64 JSON envelopes and hides scheduled messages for whole seconds', async () => {
    const bus = await newBus();
    await bus.send('polls', { body: { p: 1 }, messageId: 'poll:now', properties: { k: 'v' } });
    await bus.send('polls', { body: { p: 2 }, messageId: 'poll:later', notBeforeMs: bus.clock.nowMs() + 30_000 });
    const peeked = (await service.getQueueClient(bus.queues.polls).peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
    expect(peeked).toHaveLength(1); // the scheduled one is invisible
    const decoded = decodeEnvelope(peeked[0]?.messageText ?? '');
    expect(decoded).toMatchObject({ envelope: { messageId: 'poll:now', body: { p: 1 }, properties: { k: 'v' } } });
  });

  it('reads back what it encodes', () => {
    const envelope = { messageId: 'm', properties: { a: 1 }, body: [1, { b: 'é' }], notBeforeMs: 5, enqueuedMs: 3 };
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual({ envelope });
    expect(decodeEnvelope('not base64 json')).toHaveProperty('problem');
  });
});

describe('QueueConsumer', () => {
  it('retries a handler that throws, then deletes the message once it succeeds', async () => {
    const bus = await newBus();
    const seen: number[] = [];
    const { consumer, events } = consume(
      bus,
      'actions',
      (_body, delivery) => {
        seen.push(delivery.deliveryCount);
        return seen.length <= 2 ? Promise.reject(new Error(`flaky ${seen.length}`)) : Promise.resolve();
      },
      { maxDeliveryCount: 5 },
    );
    await bus.send('actions', { body: { runId: 'r1' }, messageId: 'action:r1' });
    await waitUntil(() => events.some((e) => e.type === 'completed'), 15_000, 'completion');
    await consumer.idle();
    expect(seen).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === 'failed').map((e) => e.type === 'failed' && e.error)).toEqual([
      'Error: flaky 1',
      'Error: flaky 2',
    ]);
    expect(await visibleCount(bus, 'actions')).toBe(0);
    expect(await bus.peekPoison('actions')).toEqual([]);
  });

  it('poisons a message after maxDeliveryCount failed deliveries, with the last error', async () => {
    const bus = await newBus();
    const seen: number[] = [];
    const { consumer, events } = consume(
      bus,
      'collect',
      (_body, delivery) => {
        seen.push(delivery.deliveryCount);
        return Promise.reject(new Error(`broken ${delivery.deliveryCount}`));
      },
      { maxDeliveryCount: 3 },
    );
    await bus.send('collect', { body: { c: 1 }, messageId: 'collect:1' });
    await waitUntil(() => events.some((e) => e.type === 'deadLettered'), 15_000, 'dead-lettering');
    await consumer.idle();
    expect(seen).toEqual([1, 2, 3]);
    const poison = await bus.peekPoison('collect');
    expect(poison).toHaveLength(1);
    expect(poison[0]?.envelope).toMatchObject({
      messageId: 'collect:1',
      body: { c: 1 },
      properties: { deadLetterReason: 'MaxDeliveryCountExceeded', originalMessageId: 'collect:1', sourceQueue: bus.queues.collect },
    });
    expect(poison[0]?.envelope?.properties.deadLetterErrorDescription).toContain('broken 3');
    expect(await visibleCount(bus, 'collect')).toBe(0);
  });

  it('poisons a message whose earlier deliveries never settled (a crashed consumer)', async () => {
    const bus = await newBus();
    await bus.send('collect', { body: { c: 2 }, messageId: 'collect:2' });
    for (let i = 0; i < 2; i += 1) {
      const [message] = await bus.receive('collect', 1, 30);
      if (message) await bus.hide(message, 0); // received, never settled
    }
    let calls = 0;
    const { events } = consume(bus, 'collect', () => Promise.resolve(void (calls += 1)), { maxDeliveryCount: 2 });
    await waitUntil(() => events.some((e) => e.type === 'deadLettered'), 10_000, 'dead-lettering');
    expect(calls).toBe(0);
    const [copy] = await bus.peekPoison('collect');
    expect(copy?.envelope?.properties).toMatchObject({ deadLetterReason: 'MaxDeliveryCountExceeded' });
  });

  it('waits out a sub-second early arrival in process, honouring notBeforeMs on a scaled clock', async () => {
    const clock = new ScaledClock({ scale: 10 });
    const bus = await newBus(clock, wallDelayFor(clock));
    const handled: { clockMs: number; delivery: DeliveryInfo }[] = [];
    const { events } = consume(bus, 'polls', (_b, delivery) => {
      handled.push({ clockMs: clock.nowMs(), delivery });
      return Promise.resolve();
    });
    const notBeforeMs = clock.nowMs() + 9_000; // 0.9 s wall: storage rounds it to 0 s, so it surfaces at once
    await bus.send('polls', { body: {}, messageId: 'poll:soon', notBeforeMs });
    await waitUntil(() => handled.length === 1, 10_000, 'handling');
    expect(handled[0]?.clockMs).toBeGreaterThanOrEqual(notBeforeMs);
    expect(handled[0]?.delivery.deliveryCount).toBe(1);
    expect(events.find((e) => e.type === 'deferred')).toMatchObject({ how: 'wait' });
  });

  it('re-hides a message that surfaces more than a second early, without counting a delivery', async () => {
    const clock = new ScaledClock({ scale: 10 });
    // The sender believes no wall time is needed (as after a clock restart); the consumer knows better.
    const sender = await newBus(clock, () => 0);
    const bus = new StorageQueueMessageBus(service, sender.queues, clock, wallDelayFor(clock));
    const handled: { clockMs: number; delivery: DeliveryInfo }[] = [];
    const { events } = consume(bus, 'alerts', (_b, delivery) => {
      handled.push({ clockMs: clock.nowMs(), delivery });
      return Promise.resolve();
    });
    const notBeforeMs = clock.nowMs() + 22_000; // 2.2 s wall
    await sender.send('alerts', { body: {}, messageId: 'alert:early', notBeforeMs });
    await waitUntil(() => handled.length === 1, 15_000, 'handling');
    expect(handled[0]?.clockMs).toBeGreaterThanOrEqual(notBeforeMs);
    expect(handled[0]?.delivery.deliveryCount).toBe(1);
    const hows = events.filter((e) => e.type === 'deferred').map((e) => e.type === 'deferred' && e.how);
    expect(hows[0]).toBe('rehide'); // then usually a sub-second 'wait' on the second arrival
    expect(hows.filter((how) => how === 'rehide')).toHaveLength(1);
  });

  it('abandons a thrown ThrottledError like any other throw: visible again at once, the delivery counted', async () => {
    const bus = await newBus();
    const seen: { deliveryCount: number; wallMs: number }[] = [];
    const { events } = consume(
      bus,
      'actions',
      (_b, delivery) => {
        seen.push({ deliveryCount: delivery.deliveryCount, wallMs: Date.now() });
        // Retry-After of an hour: the consumer must not honour it (the Service Bus trigger does not).
        return seen.length === 1 ? Promise.reject(new ThrottledError('busy', 3_600_000)) : Promise.resolve();
      },
      { maxDeliveryCount: 5 },
    );
    await bus.send('actions', { body: {}, messageId: 'action:t' });
    await waitUntil(() => events.some((e) => e.type === 'completed'), 10_000, 'completion');
    expect(seen.map((s) => s.deliveryCount)).toEqual([1, 2]);
    expect((seen[1]?.wallMs ?? 0) - (seen[0]?.wallMs ?? 0)).toBeLessThan(2_000);
  });

  it('abandons a thrown PermanentError too, and poisons it only when the last allowed delivery fails, its error redacted', async () => {
    const bus = await newBus();
    let calls = 0;
    const { events } = consume(
      bus,
      'alerts',
      () => {
        calls += 1;
        return Promise.reject(new ValidationError('bad alert AccountKey=c2VjcmV0', [{ path: 'id', message: 'required' }]));
      },
      { maxDeliveryCount: 2 },
    );
    await bus.send('alerts', { body: { nope: true }, messageId: 'alert:bad' });
    await waitUntil(() => events.some((e) => e.type === 'deadLettered'), 10_000, 'dead-lettering');
    expect(calls).toBe(2);
    const [copy] = await bus.peekPoison('alerts');
    expect(copy?.envelope?.properties).toMatchObject({ deadLetterReason: 'MaxDeliveryCountExceeded' });
    expect(copy?.envelope?.properties.deadLetterErrorDescription).toContain('bad alert');
    expect(copy?.envelope?.properties.deadLetterErrorDescription).not.toContain('c2VjcmV0');
  });

  it('delivers a message again when its handler outlives the lock; the late completion fails and loses nothing', async () => {
    const bus = await newBus();
    const seen: number[] = [];
    const { events } = consume(
      bus,
      'collect',
      async (_b, delivery) => {
        seen.push(delivery.deliveryCount);
        if (delivery.deliveryCount === 1) await new Promise((resolve) => setTimeout(resolve, 2_500));
      },
      { lockSeconds: 1 },
    );
    await bus.send('collect', { body: {}, messageId: 'collect:slow' });
    await waitUntil(() => events.some((e) => e.type === 'error'), 10_000, 'the late completion failing');
    expect(seen).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'completed').map((e) => e.type === 'completed' && e.deliveryCount)).toEqual([2]);
    expect(await visibleCount(bus, 'collect')).toBe(0);
    expect(await bus.peekPoison('collect')).toEqual([]);
  });

  it('poisons text that is not an envelope', async () => {
    const bus = await newBus();
    const { events } = consume(bus, 'polls', () => Promise.reject(new Error('must not be called')));
    await service.getQueueClient(bus.queues.polls).sendMessage('hello, not base64 JSON');
    await waitUntil(() => events.some((e) => e.type === 'deadLettered'), 10_000, 'dead-lettering');
    const [copy] = await bus.peekPoison('polls');
    expect(copy?.envelope).toMatchObject({ body: 'hello, not base64 JSON', properties: { deadLetterReason: 'MalformedEnvelope' } });
  });

  it('polls an idle queue when a message sent in this process becomes visible, not only on its polling interval', async () => {
    const bus = await newBus();
    const handled: unknown[] = [];
    // An interval far longer than the test's timeout: only the send notice can wake the consumer.
    consume(bus, 'collect', (body) => Promise.resolve(void handled.push(body)), { pollIntervalMs: 600_000 });
    await waitUntil(async () => (await visibleCount(bus, 'collect')) === 0, 5_000, 'the first empty poll');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await bus.send('collect', { body: { n: 1 }, messageId: 'now' });
    await bus.send('collect', { body: { n: 2 }, messageId: 'in-a-second', notBeforeMs: bus.clock.nowMs() + 1_000 });
    await waitUntil(() => handled.length === 2, 8_000, 'both messages handled');
    expect(handled).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('runs at most `concurrency` handlers per queue', async () => {
    const bus = await newBus();
    let running = 0;
    let peak = 0;
    let done = 0;
    consume(
      bus,
      'collect',
      async () => {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setTimeout(resolve, 250));
        running -= 1;
        done += 1;
      },
      { concurrency: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => bus.send('collect', { body: i, messageId: `collect:${i}` })));
    await waitUntil(() => done === 6, 15_000, 'all handled');
    expect(peak).toBe(2);
  });

  it('stop() waits for running handlers, which then complete their messages', async () => {
    const bus = await newBus();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { consumer, events } = consume(bus, 'actions', () => gate);
    await bus.send('actions', { body: {}, messageId: 'action:slow' });
    await waitUntil(() => consumer.inFlight === 1, 10_000, 'handler start');
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(events.some((e) => e.type === 'completed')).toBe(true);
    expect(await visibleCount(bus, 'actions')).toBe(0);
  });
});
