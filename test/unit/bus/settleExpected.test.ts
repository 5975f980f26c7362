import { describe, expect, it } from 'vitest';
import { resendMessageId, settleExpected, transientDelayMs } from '../../../shared/bus/settleExpected.js';
import type { DeliveryInfo } from '../../../shared/bus/port.js';
import { ManualClock } from '../../../shared/clock.js';
import { ContendedError, InvalidTransitionError, NotFoundError, ThrottledError, TransientError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/log.js';
import { RecordingBus } from '../../helpers/fakes.js';

const limits = { transientRetries: 3, retryBaseMs: 1_000, retryMaxMs: 5_000 };

function setup(): { bus: RecordingBus; clock: ManualClock; deps: Parameters<typeof settleExpected>[0] } {
  const bus = new RecordingBus();
  const clock = new ManualClock(1_000_000);
  return { bus, clock, deps: { bus, clock, logger: silentLogger, config: { delivery: limits } } };
}

const first: DeliveryInfo = { messageId: 'run-1.dev-1.submit.0.5', deliveryCount: 1, properties: { runId: 'run-1' } };
const failWith = (error: Error) => (): Promise<never> => Promise.reject(error);

describe('the delivery contract for expected failures', () => {
  it('returns what the handler returns and sends nothing when it succeeds', async () => {
    const { bus, deps } = setup();
    expect(await settleExpected(deps, 'actions', { a: 1 }, first, () => Promise.resolve('submitted'))).toBe('submitted');
    expect(bus.sent).toEqual([]);
  });

  it('sends a throttled message again for Retry-After later, under a new id, keeping its properties', async () => {
    const { bus, clock, deps } = setup();
    const outcome = await settleExpected(deps, 'alerts', { alert: 1 }, first, failWith(new ThrottledError('status budget spent', 42_000)));
    expect(outcome).toEqual({ kind: 'rescheduled', reason: 'ThrottledError', notBeforeMs: clock.nowMs() + 42_000 });
    expect(bus.sent).toEqual([
      {
        queue: 'alerts',
        body: { alert: 1 },
        messageId: 'run-1.dev-1.submit.0.5.retry-1',
        notBeforeMs: clock.nowMs() + 42_000,
        properties: { runId: 'run-1', deliveryResends: 1, deliveryTransientFailures: 0 },
      },
    ]);
  });

  it('backs a transient failure off, doubling, and the next copy gets the next id', async () => {
    const { bus, clock, deps } = setup();
    const second: DeliveryInfo = {
      messageId: 'run-1.dev-1.submit.0.5.retry-1',
      deliveryCount: 1,
      properties: { deliveryResends: 1, deliveryTransientFailures: 1 },
    };
    await settleExpected(deps, 'polls', { seq: 3 }, second, failWith(new ContendedError('pacing', 100)));
    expect(bus.sent[0]).toMatchObject({
      messageId: 'run-1.dev-1.submit.0.5.retry-2',
      notBeforeMs: clock.nowMs() + 2_000,
      properties: { deliveryResends: 2, deliveryTransientFailures: 2 },
    });
  });

  it('dead-letters a message whose transient failures passed the limit, with the last error redacted', async () => {
    const { bus, deps } = setup();
    const worn: DeliveryInfo = {
      messageId: 'm.retry-7',
      deliveryCount: 1,
      properties: { deliveryResends: 7, deliveryTransientFailures: 3 },
    };
    const outcome = await settleExpected(
      deps,
      'collect',
      { c: 1 },
      worn,
      failWith(new TransientError('5xx from https://x.blob/y?sig=abc')),
    );
    expect(outcome).toEqual({ kind: 'dead-lettered', reason: 'TransientRetriesExhausted' });
    expect(bus.sent).toEqual([]);
    expect(bus.deadLettered[0]?.reason).toMatchObject({ reason: 'TransientRetriesExhausted', originalMessageId: 'm.retry-7' });
    expect(bus.deadLettered[0]?.reason.description).toContain('4 transient failures');
    expect(bus.deadLettered[0]?.reason.description).not.toContain('sig=abc');
  });

  it('dead-letters a permanent error at once, named by the error', async () => {
    const { bus, deps } = setup();
    const outcome = await settleExpected(deps, 'collect', { c: 1 }, first, failWith(new NotFoundError('no such run')));
    expect(outcome).toEqual({ kind: 'dead-lettered', reason: 'NotFoundError' });
    expect(bus.deadLettered[0]?.reason).toMatchObject({ reason: 'NotFoundError', description: 'NotFoundError: no such run' });
  });

  it('lets a bug through as a throw, for the queue to abandon', async () => {
    const { bus, deps } = setup();
    const bug = new InvalidTransitionError('action', 'ended', 'submitting');
    await expect(settleExpected(deps, 'actions', {}, first, failWith(bug))).rejects.toBe(bug);
    await expect(settleExpected(deps, 'actions', {}, first, failWith(new TypeError('x is undefined')))).rejects.toThrow(TypeError);
    expect([...bus.sent, ...bus.deadLettered]).toEqual([]);
  });

  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 5_000],
  ])('waits %i transient failures in: %i ms', (failures, waitMs) => {
    expect(transientDelayMs(failures, limits)).toBe(waitMs);
  });

  it('keeps resend ids within Service Bus’s 128 characters', () => {
    const long = 'x'.repeat(126);
    expect(resendMessageId(long, 12)).toHaveLength(40 + '.retry-12'.length);
    expect(resendMessageId(`${long}.retry-3`, 4)).toBe(resendMessageId(long, 4));
  });
});
