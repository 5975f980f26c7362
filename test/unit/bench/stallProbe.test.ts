import { describe, expect, it } from 'vitest';
import { formatStalls, startStallProbe, summariseProbes } from '../../../bench/pacing/stallProbe.js';

describe('the storage stall probe', () => {
  it('names the slowest answer, when it was asked, and the answers over a second', () => {
    const r = summariseProbes([
      { atMs: 60_000, tookWallMs: 4 },
      { atMs: 5_880_000, tookWallMs: 9_800 },
      { atMs: 5_990_000, tookWallMs: 1_200 },
      { atMs: 6_000_000, tookWallMs: 7 },
    ]);
    expect(r).toEqual({ probes: 4, slowestWallMs: 9_800, slowestAtMs: 5_880_000, stalls: 2, stalledWallMs: 11_000 });
    expect(formatStalls(r)).toBe(
      'storage answered 4 probes, the slowest in 9.8 wall s (asked at minute 98); 2 took over 1 s, 11.0 wall s in all',
    );
  });

  it('has nothing slow to say of no probes', () => {
    expect(summariseProbes([])).toEqual({ probes: 0, slowestWallMs: 0, slowestAtMs: 0, stalls: 0, stalledWallMs: 0 });
  });

  it('times each answer, a failed one too, until it is stopped', async () => {
    let asked = 0;
    const probe = startStallProbe(
      async () => {
        asked += 1;
        if (asked === 2) throw new Error('no such queue');
        await new Promise((r) => setTimeout(r, asked === 3 ? 60 : 0));
      },
      () => asked * 1_000,
      5,
    );
    while (asked < 4) await new Promise((r) => setTimeout(r, 5));
    const r = await probe.stop();
    expect(r.probes).toBeGreaterThanOrEqual(3);
    expect(r.slowestWallMs).toBeGreaterThanOrEqual(55);
    expect(r.slowestAtMs).toBe(2_000); // the clock read as the third question was asked
  });
});
