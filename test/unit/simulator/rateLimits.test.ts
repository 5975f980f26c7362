import { describe, expect, it } from 'vitest';
import { decide, retryAfterSeconds, SlidingWindowLimiter } from '../../../simulator/rateLimits.js';

const minute = { windowMs: 60_000, max: 3 };
const hour = { windowMs: 3_600_000, max: 5 };

describe('sliding-window limits', () => {
  it.each([
    { stamps: [], now: 0, expected: { ok: true } },
    { stamps: [0, 1_000], now: 2_000, expected: { ok: true } },
    { stamps: [0, 1_000, 2_000], now: 3_000, expected: { ok: false, retryAfterMs: 57_000 } },
    { stamps: [0, 1_000, 2_000], now: 60_000, expected: { ok: true } },
    { stamps: [0, 1_000, 2_000], now: 59_999, expected: { ok: false, retryAfterMs: 1 } },
  ])('minute window: $stamps at $now', ({ stamps, now, expected }) => {
    // Act
    const admission = decide(stamps, [minute], now);
    // Assess
    expect(admission).toEqual(expected);
  });

  it('waits for the window that frees last', () => {
    // Prepare: five calls spread over the hour, the minute window is free
    const stamps = [0, 600_000, 1_200_000, 1_800_000, 2_400_000];
    // Act
    const admission = decide(stamps, [minute, hour], 3_000_000);
    // Assess
    expect(admission).toEqual({ ok: false, retryAfterMs: 600_000 });
  });

  it('does not count rejected calls', () => {
    // Prepare
    const limiter = new SlidingWindowLimiter();
    for (let i = 0; i < 3; i++) limiter.admit('k', [minute], i);
    // Act
    const rejected = [limiter.admit('k', [minute], 10), limiter.admit('k', [minute], 20)];
    const later = limiter.admit('k', [minute], 60_000);
    // Assess
    expect(rejected.every((r) => !r.ok)).toBe(true);
    expect(later.ok).toBe(true);
  });

  it('keeps keys apart', () => {
    // Prepare
    const limiter = new SlidingWindowLimiter();
    for (let i = 0; i < 3; i++) limiter.admit('app-a', [minute], i);
    // Act
    const other = limiter.admit('app-b', [minute], 5);
    // Assess
    expect(other.ok).toBe(true);
  });

  it('records a refused call when refused calls count, so a retry before the told wait is refused again', () => {
    // Prepare: three calls at 0, 10 and 20 s fill the minute
    const limiter = new SlidingWindowLimiter();
    for (const at of [0, 10_000, 20_000]) limiter.admit('k', [minute], at, true);
    // Act
    const refused = limiter.admit('k', [minute], 30_000, true);
    const tooEarly = limiter.admit('k', [minute], 60_000, true);
    const afterWaiting = new SlidingWindowLimiter();
    for (const at of [0, 10_000, 20_000]) afterWaiting.admit('k', [minute], at, true);
    const told = afterWaiting.admit('k', [minute], 30_000, true);
    const onTime = told.ok ? told : afterWaiting.admit('k', [minute], 30_000 + told.retryAfterMs, true);
    // Assess: the refused call at 30 s holds the window until 70 s (the call at 10 s leaves at 70 s)
    expect(refused).toEqual({ ok: false, retryAfterMs: 40_000, windowMs: 60_000 });
    expect(tooEarly.ok).toBe(false);
    expect(onTime.ok).toBe(true);
  });

  it('does not record a refused call by default', () => {
    // Prepare
    const limiter = new SlidingWindowLimiter();
    for (const at of [0, 10_000, 20_000]) limiter.admit('k', [minute], at);
    // Act
    const refused = limiter.admit('k', [minute], 30_000);
    const afterOldest = limiter.admit('k', [minute], 60_000);
    // Assess
    expect(refused).toEqual({ ok: false, retryAfterMs: 30_000, windowMs: 60_000 });
    expect(afterOldest.ok).toBe(true);
  });

  it('reports the longest full window with a refusal', () => {
    // Prepare: the hour is full and so is the minute
    const limiter = new SlidingWindowLimiter();
    for (const at of [0, 1_000, 2_000]) limiter.admit('k', [minute, { windowMs: 3_600_000, max: 3 }], at);
    // Act
    const refused = limiter.admit('k', [minute, { windowMs: 3_600_000, max: 3 }], 3_000);
    // Assess
    expect(refused).toEqual({ ok: false, retryAfterMs: 3_597_000, windowMs: 3_600_000 });
  });

  it.each([
    { form: 'exact', refused: { retryAfterMs: 40_001, windowMs: 60_000 }, seconds: 41 },
    { form: 'exact', refused: { retryAfterMs: 1, windowMs: 60_000 }, seconds: 1 },
    { form: 'coarse', refused: { retryAfterMs: 40_001, windowMs: 60_000 }, seconds: 60 },
    { form: 'coarse', refused: { retryAfterMs: 1_000, windowMs: 3_600_000 }, seconds: 3_600 },
    { form: 'absent', refused: { retryAfterMs: 40_001, windowMs: 60_000 }, seconds: 41 },
  ] as const)('tells a $form wait of $seconds s for $refused', ({ form, refused, seconds }) => {
    // Act
    const told = retryAfterSeconds(refused, form);
    // Assess
    expect(told).toBe(seconds);
  });
});
