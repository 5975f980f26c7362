import { describe, expect, it } from 'vitest';
import { formatTimeOverBound, timeOverBound } from '../../../bench/pacing/overBound.js';

const quota = { callsPerWindow: 10, windowMs: 60_000, safetyMarginMs: 1_000 };
const ACTION_MS = 67_000;

describe('where a run’s time beyond the quota bound went', () => {
  it('splits it into the first call’s delay, the calls’ spread beyond the quota’s pace, and the tail beyond one action', () => {
    // 25 calls: ten at 5 s, ten at 66 s (one window and its margin later), five at 130 s (3 s late for the third window).
    const created = [
      ...Array.from({ length: 10 }, () => 5_000),
      ...Array.from({ length: 10 }, () => 66_000),
      ...Array.from({ length: 5 }, () => 130_000),
    ];
    const t = timeOverBound(created, { startMs: 0, endMs: 130_000 + ACTION_MS + 20_000 }, quota, ACTION_MS);
    expect(t).toEqual({
      calls: 25,
      callsPerWindow: 10,
      firstCallMs: 5_000,
      spanOverQuotaMs: 5_000,
      marginMs: 2_000,
      tailOverActionMs: 20_000,
      shortWindows: [],
      // Calls 11-20 came at the pace, 21-25 3 s after it: the median is on time, p90 3 s late, no stall.
      lateness: { p50Ms: 0, p90Ms: 3_000, maxMs: 3_000, stalls: 0, stallsShare: 0 },
    });
    // With the rate bounding the run, the three parts add up to makespan - bound.
    const makespan = 130_000 + ACTION_MS + 20_000;
    const bound = 2 * 60_000 + ACTION_MS;
    expect((t?.firstCallMs ?? 0) + (t?.spanOverQuotaMs ?? 0) + (t?.tailOverActionMs ?? 0)).toBe(makespan - bound);
  });

  it('reads the calls in any order, and has nothing to say of a run without one', () => {
    const t = timeOverBound([70_000, 1_000, 9_000], { startMs: 0, endMs: 70_000 + ACTION_MS }, quota, ACTION_MS);
    expect(t).toMatchObject({ calls: 3, firstCallMs: 1_000, spanOverQuotaMs: 69_000, marginMs: 0, tailOverActionMs: 0 });
    expect(timeOverBound([], { startMs: 0, endMs: 1 }, quota, ACTION_MS)).toBeUndefined();
  });

  it('names the windows (of the quota window and margin, from the first call) that held fewer calls than the quota, the last excepted', () => {
    // Windows of 61 s from 0: #0 ten calls, #1 four, #2 none, #3 ten, #4 (the last) two.
    const created = [
      ...Array.from({ length: 10 }, () => 0),
      ...Array.from({ length: 4 }, () => 70_000),
      ...Array.from({ length: 10 }, () => 190_000),
      ...Array.from({ length: 2 }, () => 250_000),
    ];
    const t = timeOverBound(created, { startMs: 0, endMs: 250_000 + ACTION_MS }, quota, ACTION_MS);
    expect(t?.shortWindows).toEqual([
      { index: 1, calls: 4 },
      { index: 2, calls: 0 },
    ]);
  });

  it('prints each part in seconds, and the worst windows first', () => {
    const t = {
      calls: 1000,
      callsPerWindow: 10,
      firstCallMs: 52_400,
      spanOverQuotaMs: 140_000,
      marginMs: 99_000,
      tailOverActionMs: 31_000,
      lateness: { p50Ms: 400, p90Ms: 2_100, maxMs: 45_000, stalls: 12, stallsShare: 0.6 },
    };
    expect(formatTimeOverBound({ ...t, shortWindows: [] })).toBe(
      "over the bound: first call after 52 s; 1000 calls spread 140 s beyond the quota's pace (the safety margin: 99 s); the last action ended 31 s after one action's time; every window held the quota; " +
        'each call came after the pace allowed it by 0.4 s (median), 2.1 s (p90), 45.0 s (most); 12 stalls over 5 s made 60% of that',
    );
    expect(
      formatTimeOverBound({
        ...t,
        shortWindows: [
          { index: 3, calls: 9 },
          { index: 7, calls: 2 },
        ],
      }),
    ).toMatch(/; 2 windows short of the quota by 9 calls in all \(worst: #7 2, #3 9\); each call/);
  });

  it('tells a steady drift from a few stalls in how late each call came after the pace allowed it', () => {
    // Forty calls, ten a window: every window 1 s late (drift), then one 30 s stall before the last ten.
    const paced = (lateMs: (w: number) => number): number[] =>
      Array.from({ length: 40 }, (_, i) => {
        const w = Math.floor(i / 10);
        return Array.from({ length: w }, (_, k) => 61_000 + lateMs(k + 1)).reduce((a, b) => a + b, 0);
      });
    const drift = timeOverBound(
      paced(() => 1_000),
      { startMs: 0, endMs: 300_000 },
      quota,
      ACTION_MS,
    )?.lateness;
    expect(drift).toEqual({ p50Ms: 1_000, p90Ms: 1_000, maxMs: 1_000, stalls: 0, stallsShare: 0 });
    const stall = timeOverBound(
      paced((w) => (w === 3 ? 30_000 : 0)),
      { startMs: 0, endMs: 300_000 },
      quota,
      ACTION_MS,
    )?.lateness;
    expect(stall).toEqual({ p50Ms: 0, p90Ms: 30_000, maxMs: 30_000, stalls: 10, stallsShare: 1 });
  });
});
