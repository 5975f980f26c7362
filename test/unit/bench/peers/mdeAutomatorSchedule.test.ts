import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../shared/clock.js';
import {
  INITIAL_RETRY_STATE,
  nextRetryStep,
  retryAfterSecondsOf,
  type CallFailure,
  type RetryState,
  type RetryStep,
} from '../../../../bench/peers/mdeAutomator/retrySchedule.js';
import { GIVE_UP_AFTER_MS, POLL_INTERVAL_MS, mayPollAgain, statusVerdict } from '../../../../bench/peers/mdeAutomator/pollSchedule.js';
import { forEachParallel, splitIntoInvocations } from '../../../../bench/peers/mdeAutomator/orchestrator.js';

/** The waits (s) the peer takes for a run of identical failures, until it skips or gives up. */
function waitsFor(failure: CallFailure, jitterSeconds = 3): { waitsSeconds: number[]; end: RetryStep['kind'] } {
  const waitsSeconds: number[] = [];
  let state: RetryState = INITIAL_RETRY_STATE;
  for (;;) {
    const step = nextRetryStep(state, failure, jitterSeconds);
    if (step.kind !== 'wait') return { waitsSeconds, end: step.kind };
    waitsSeconds.push(step.waitMs / 1_000);
    state = step.next;
  }
}

describe("MDEAutomator's retry (Invoke-WithRetry)", () => {
  it('waits Retry-After on each 429, five times, then gives up: the doubling never applies to 429s', () => {
    expect(waitsFor({ kind: 'throttled', retryAfterHeader: '7' })).toEqual({ waitsSeconds: [7, 7, 7, 7, 7], end: 'giveUp' });
  });

  it('waits 60 s on a 429 without a usable Retry-After', () => {
    expect(waitsFor({ kind: 'throttled', retryAfterHeader: null }).waitsSeconds).toEqual([60, 60, 60, 60, 60]);
    expect(retryAfterSecondsOf('Wed, 21 Oct 2026 07:28:00 GMT')).toBe(60);
    expect(retryAfterSecondsOf(' 12 ')).toBe(12);
  });

  it('doubles from 20 s with a 2-4 s jitter on server errors, capped at 600 s before the jitter', () => {
    expect(waitsFor({ kind: 'serverError', status: 503 }, 3)).toEqual({ waitsSeconds: [20, 43, 89, 181, 365], end: 'giveUp' });
    const late = nextRetryStep({ retryCount: 4, delaySeconds: 365 }, { kind: 'noAnswer' }, 4);
    expect(late).toEqual({ kind: 'wait', waitMs: 365_000, next: { retryCount: 5, delaySeconds: 604 } });
  });

  it('skips ActiveRequestAlreadyExists and every other 4xx without retrying', () => {
    expect(waitsFor({ kind: 'refused', status: 400, code: 'ActiveRequestAlreadyExists' })).toEqual({ waitsSeconds: [], end: 'skip' });
    expect(waitsFor({ kind: 'refused', status: 401 })).toEqual({ waitsSeconds: [], end: 'skip' });
  });

  it('takes a 429 after server errors at Retry-After, not at the doubled delay', () => {
    const afterErrors: RetryState = { retryCount: 2, delaySeconds: 89 };
    expect(nextRetryStep(afterErrors, { kind: 'throttled', retryAfterHeader: '5' }, 3)).toEqual({
      kind: 'wait',
      waitMs: 5_000,
      next: { retryCount: 3, delaySeconds: 13 },
    });
  });
});

describe("MDEAutomator's follow of an action (Get-MachineActionStatus)", () => {
  it('reads the status every 15 s for 11 minutes, then gives up with the action still open', () => {
    const clock = new ManualClock();
    const startMs = clock.nowMs();
    let reads = 0;
    while (mayPollAgain(startMs, clock.nowMs())) {
      reads += 1;
      clock.advance(POLL_INTERVAL_MS);
    }
    expect(reads).toBe(44);
    expect(clock.nowMs() - startMs).toBe(GIVE_UP_AFTER_MS);
  });

  it.each([
    ['Succeeded', 'succeeded'],
    ['Pending', 'waiting'],
    ['InProgress', 'waiting'],
    ['Failed', 'failed'],
    ['TimeOut', 'failed'],
    ['Cancelled', 'failed'],
  ] as const)('reads %s as %s', (status, verdict) => {
    expect(statusVerdict(status)).toBe(verdict);
  });
});

describe("MDEAutomator's spread of devices over invocations", () => {
  it('sends the devices in even contiguous shares, one per invocation, never an empty one', () => {
    const ids = Array.from({ length: 25 }, (_, i) => `d${i}`);
    const groups = splitIntoInvocations(ids, 10);
    expect(groups.map((g) => g.length)).toEqual([2, 3, 2, 3, 2, 3, 2, 3, 2, 3]);
    expect(groups.flat()).toEqual(ids);
    expect(splitIntoInvocations(ids.slice(0, 3), 10)).toHaveLength(3);
    expect(() => splitIntoInvocations(ids, 11)).toThrow(/invocations: expected 1 to 10/);
  });

  it('runs at most ten devices of an invocation at once, the next starting as one ends', async () => {
    let running = 0;
    let peak = 0;
    const results = await forEachParallel(
      Array.from({ length: 35 }, (_, i) => i),
      10,
      async (i) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, i % 3));
        running -= 1;
        return i * 2;
      },
    );
    expect(peak).toBe(10);
    expect(results).toEqual(Array.from({ length: 35 }, (_, i) => i * 2));
  });
});
