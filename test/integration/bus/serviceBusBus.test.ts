/**
 * ServiceBusMessageBus specifics, with the real ServiceBusClient talking AMQP
 * to the in-memory broker double on loopback.
 */
import { ServiceBusClient, ServiceBusError, type ServiceBusErrorCode } from '@azure/service-bus';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ServiceBusMessageBus,
  SERVICE_BUSY_RETRY_MS,
  sequenceNumberToBigInt,
  translateServiceBusError,
} from '../../../shared/azure/serviceBusBus.js';
import type { QueueName } from '../../../shared/bus/port.js';
import { ManualClock, unscaled } from '../../../shared/clock.js';
import {
  ForbiddenError,
  NotFoundError,
  PermanentError,
  ThrottledError,
  TransientError,
  type ResponderError,
} from '../../../shared/errors.js';
import { AmqpBrokerDouble } from '../../helpers/amqpBroker.js';

const names: Record<QueueName, string> = {
  alerts: 'q-alerts',
  actions: 'q-actions',
  polls: 'q-polls',
  collect: 'q-collect',
  notify: 'q-notify',
};
const known = Object.values(names).flatMap((n) => [n, `${n}-poison`]);

let broker: AmqpBrokerDouble;
let client: ServiceBusClient;
const buses: ServiceBusMessageBus[] = [];

beforeAll(async () => {
  broker = await AmqpBrokerDouble.start({ queues: known });
  client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } });
});
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});
afterAll(async () => {
  await client?.close();
  await broker?.close();
});

/** A bus on a manual responder clock running 60x, with a manual wall clock starting at real now. */
function newBus(): { bus: ServiceBusMessageBus; clock: ManualClock; wall: ManualClock } {
  const clock = new ManualClock();
  const wall = new ManualClock(Date.now());
  const bus = new ServiceBusMessageBus(client, names, clock, (ms) => ms / 60, { wallClock: wall });
  buses.push(bus);
  return { bus, clock, wall };
}

const last = (queue: string) => broker.messagesIn(queue).at(-1);

describe('ServiceBusMessageBus.send', () => {
  it('sends the JSON body with messageId, content type and application properties', async () => {
    const { bus } = newBus();
    await bus.send('alerts', { body: { alertId: 'a1' }, messageId: 'alert:a1', properties: { runId: 'r1', n: 7, ok: false } });
    expect(last('q-alerts')).toMatchObject({
      messageId: 'alert:a1',
      contentType: 'application/json',
      body: { alertId: 'a1' },
      applicationProperties: { runId: 'r1', n: 7, ok: false },
      scheduledEnqueueTimeUtc: undefined,
      via: 'transfer',
    });
  });

  it('caches one sender per queue', async () => {
    const { bus } = newBus();
    const spy = vi.spyOn(client, 'createSender');
    try {
      await bus.send('actions', { body: 1, messageId: 'a:1' });
      await bus.send('actions', { body: 2, messageId: 'a:2' });
      await bus.send('polls', { body: 3, messageId: 'p:1' });
      expect(spy.mock.calls.map((c) => c[0])).toEqual(['q-actions', 'q-polls']);
    } finally {
      spy.mockRestore();
    }
  });

  it('schedules at wall now + wallDelay(remaining clock time), and the broker holds it until then', async () => {
    const { bus, clock, wall } = newBus();
    await bus.send('polls', { body: { poll: 1 }, messageId: 'poll:1', notBeforeMs: clock.nowMs() + 60_000 });
    const record = last('q-polls');
    expect(record?.scheduledEnqueueTimeUtc?.getTime()).toBe(wall.nowMs() + 1_000); // 60 s of clock at 60x
    expect(record?.state).toBe('scheduled');
    await broker.waitFor(() => record?.state === 'ready', 10_000);
  });

  it('sends at once when notBeforeMs is now or past', async () => {
    const { bus, clock } = newBus();
    await bus.send('polls', { body: 0, messageId: 'poll:past', notBeforeMs: clock.nowMs() });
    expect(last('q-polls')?.scheduledEnqueueTimeUtc).toBeUndefined();
  });

  it('rejects a messageId Service Bus would refuse, without sending', async () => {
    const { bus } = newBus();
    const before = broker.messages.length;
    await expect(bus.send('alerts', { body: 1, messageId: 'x'.repeat(129) })).rejects.toBeInstanceOf(PermanentError);
    expect(broker.messages.length).toBe(before);
  });
});

describe('ServiceBusMessageBus.schedule / cancelScheduled', () => {
  it('schedules through $management, returns the sequence number, and cancels it', async () => {
    const { bus, clock, wall } = newBus();
    const seq = await bus.schedule('collect', { body: { c: 1 }, messageId: 'collect:1', notBeforeMs: clock.nowMs() + 600_000 });
    const record = last('q-collect');
    expect(record).toMatchObject({ via: 'schedule-message', messageId: 'collect:1', body: { c: 1 }, state: 'scheduled' });
    expect(record?.scheduledEnqueueTimeUtc?.getTime()).toBe(wall.nowMs() + 10_000);
    expect(sequenceNumberToBigInt(seq)).toBe(BigInt(record?.sequenceNumber ?? -1));
    await bus.cancelScheduled('collect', seq);
    expect(record?.state).toBe('cancelled');
  });
});

describe('ServiceBusMessageBus.deadLetter', () => {
  it('sends the body verbatim to <queue>-poison with the reason in application properties', async () => {
    const { bus } = newBus();
    await bus.deadLetter(
      'alerts',
      { raw: 'not an alert' },
      { reason: 'MalformedAlert', description: 'id: required', originalMessageId: 'alert:x' },
    );
    expect(last('q-alerts-poison')).toMatchObject({
      messageId: 'alert:x',
      body: { raw: 'not an alert' },
      contentType: 'application/json',
      applicationProperties: {
        deadLetterReason: 'MalformedAlert',
        deadLetterErrorDescription: 'id: required',
        originalMessageId: 'alert:x',
        sourceQueue: 'q-alerts',
      },
    });
  });

  it('derives a deterministic messageId when the original is unknown', async () => {
    const { bus } = newBus();
    const reason = { reason: 'Unparseable', description: 'not JSON' };
    await bus.deadLetter('actions', 'garbage', reason);
    await bus.deadLetter('actions', 'garbage', reason);
    const [a, b] = broker.messagesIn('q-actions-poison').slice(-2);
    expect(a?.messageId).toMatch(/^poison-[0-9a-f]{40}$/);
    expect(a?.messageId).toBe(b?.messageId);
    expect(a?.applicationProperties.originalMessageId).toBeUndefined();
  });
});

describe('Service Bus errors', () => {
  it('reports a missing queue as NotFoundError', async () => {
    const bus = new ServiceBusMessageBus(client, { ...names, alerts: 'no-such-queue' }, new ManualClock(), unscaled);
    buses.push(bus);
    await expect(bus.send('alerts', { body: 1, messageId: 'm' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports ServiceBusy as ThrottledError', async () => {
    const { bus } = newBus();
    broker.failNextTransfers('q-actions', 'com.microsoft:server-busy');
    const error = await bus.send('actions', { body: 1, messageId: 'busy' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterMs).toBe(SERVICE_BUSY_RETRY_MS);
  });

  it.each<[ServiceBusErrorCode, new (...args: never[]) => ResponderError]>([
    ['ServiceBusy', ThrottledError],
    ['ServiceTimeout', TransientError],
    ['ServiceCommunicationProblem', TransientError],
    ['GeneralError', TransientError],
    ['QuotaExceeded', TransientError],
    ['MessagingEntityNotFound', NotFoundError],
    ['UnauthorizedAccess', ForbiddenError],
    ['MessageSizeExceeded', PermanentError],
    ['MessagingEntityDisabled', PermanentError],
  ])('translates %s', (code, expected) => {
    const translated = translateServiceBusError(new ServiceBusError('boom', code), 'sending');
    expect(translated).toBeInstanceOf(expected);
    expect(translated.message).toContain('sending failed');
    expect(translated.cause).toBeInstanceOf(ServiceBusError);
  });

  it('translates SDK argument errors as permanent and anything else as transient', () => {
    expect(translateServiceBusError(new TypeError('bad Long'))).toBeInstanceOf(PermanentError);
    expect(translateServiceBusError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBeInstanceOf(TransientError);
    const mine = new NotFoundError('already translated');
    expect(translateServiceBusError(mine)).toBe(mine);
  });
});

describe('the AMQP broker double', () => {
  it('redelivers an abandoned message with a higher delivery count, and completes it', async () => {
    const { bus } = newBus();
    await bus.send('alerts', { body: { n: 1 }, messageId: 'alert:redeliver' });
    const receiver = client.createReceiver('q-alerts');
    const counts: number[] = [];
    try {
      receiver.subscribe({
        processMessage: (m) => {
          if (m.messageId !== 'alert:redeliver') return Promise.resolve();
          counts.push(m.deliveryCount ?? -1);
          return counts.length === 1 ? Promise.reject(new Error('first try fails')) : Promise.resolve();
        },
        processError: () => Promise.resolve(),
      });
      const record = broker.messagesIn('q-alerts').find((m) => m.messageId === 'alert:redeliver');
      await broker.waitFor(() => record?.state === 'completed', 10_000);
      // The wire carries earlier attempts (AMQP), which SDK 7.9 passes through as deliveryCount.
      expect(counts).toEqual([0, 1]);
      expect(record?.deliveries).toBe(2);
    } finally {
      await receiver.close();
    }
  });
});
