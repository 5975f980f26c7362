import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock.js';
import { meteredBus } from '../../../shared/telemetry/meteredBus.js';
import { queueAgeMs, withDueTime } from '../../../shared/telemetry/queueAge.js';
import { RecordingBus } from '../../helpers/fakes.js';
import { recordedMetrics } from '../../helpers/recordedMetrics.js';

describe('the metered bus', () => {
  it('counts a reason that is not a short identifier as Other, so free text never becomes an attribute', async () => {
    const { metrics, collect } = recordedMetrics();
    const inner = new RecordingBus();
    const bus = meteredBus(inner, metrics, new ManualClock());

    await bus.deadLetter('alerts', {}, { reason: 'failed at https://example.org/x?sig=1', description: 'd' });

    expect(inner.deadLettered).toHaveLength(1);
    expect(await collect()).toEqual([{ name: 'responder.queue.dead_letters', attributes: { queue: 'alerts', reason: 'Other' }, value: 1 }]);
  });
});

describe('a message due time and its age', () => {
  it.each([
    ['its notBeforeMs', { notBeforeMs: 9_000 }, 9_000],
    ['the send time when it has none', {}, 1_000],
    ['the send time when its notBeforeMs has passed', { notBeforeMs: 500 }, 1_000],
  ])('is due at %s', (_, given, dueMs) => {
    const message = withDueTime({ body: {}, messageId: 'm', properties: { dueMs: 1, other: 'kept' }, ...given }, 1_000);
    expect(message.properties).toEqual({ dueMs, other: 'kept' });
  });

  it.each([
    ['from its due time', { dueMs: 4_000, enqueuedTimeMs: 1_000 }, 6_000],
    ['from its enqueued time without one (sent from outside)', { enqueuedTimeMs: 1_000 }, 9_000],
    ['as 0 when the clocks disagree', { dueMs: 12_000 }, 0],
  ])('is measured %s', (_, known, ageMs) => {
    const { dueMs, ...rest } = known as { dueMs?: number; enqueuedTimeMs?: number };
    const delivery = { messageId: 'm', deliveryCount: 1, ...rest, ...(dueMs === undefined ? {} : { properties: { dueMs } }) };
    expect(queueAgeMs(delivery, 10_000)).toBe(ageMs);
  });

  it('is unknown when neither time is', () => {
    expect(queueAgeMs({ messageId: 'm', deliveryCount: 1 }, 10_000)).toBeUndefined();
  });
});
