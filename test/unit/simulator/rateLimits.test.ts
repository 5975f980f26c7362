import { describe, expect, it } from 'vitest';
import { decide, SlidingWindowLimiter } from '../../../simulator/rateLimits.js';

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
});
