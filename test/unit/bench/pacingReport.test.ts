import { describe, expect, it } from 'vitest';
import { formatPacingReport, lowerBoundMs, verdicts, type Measured, type ProfileResult } from '../../../bench/pacing/report.js';
import type { WorkloadSpec } from '../../../bench/workload.js';

const spec: WorkloadSpec = { devices: 200, offlineShare: 0, offlineUntilMaxMs: 0, scriptMs: 60_000 };
const ACTION_MS = 67_000;

const measured = (over: Partial<Measured>): Measured => ({
  name: 'x',
  makespanMs: 20 * 60_000,
  lowerBoundMs: 20 * 60_000,
  ratioToLowerBound: 1,
  throttled429: 0,
  calls: 1_000,
  statusGetsPerAction: 0.7,
  linkGetsPerAction: 1,
  peakCallsPerMinute: 10,
  peakConcurrentSessions: 25,
  actionsCreated: 200,
  finished: 200,
  gaveUp: false,
  ...over,
});

describe('the pacing benchmark report', () => {
  it('bounds 200 devices at 10 calls a minute by the 200th call, in the 20th minute, plus one action', () => {
    expect(lowerBoundMs(spec, 0)).toBe(19 * 60_000 + ACTION_MS);
  });

  it('bounds the share another app leaves by its calls, rounding a fractional share up so the bound is never flattering', () => {
    // 6.67 calls a minute left: counted as 7, the 200th call no sooner than the 28th minute.
    expect(lowerBoundMs(spec, 0, 10 - 10 / 3)).toBe(28 * 60_000 + ACTION_MS);
    expect(lowerBoundMs(spec, 0, 10 - 10 / 3)).toBeGreaterThan(lowerBoundMs(spec, 0));
  });

  it('judges the 429 share against the responder calls and prints each goal beside its figure', () => {
    const result: ProfileResult = {
      profile: 'strict',
      otherApp: { callsPerMinute: 10 / 3, sessionMs: 150_000 },
      devices: 200,
      responder: measured({ ratioToLowerBound: 1.12, throttled429: 9, calls: 1_000 }),
      baseline: measured({ makespanMs: 50 * 60_000 }),
      baselineSlowdown: 2.5,
    };
    expect(verdicts(result).map((v) => [v.label, v.met])).toEqual([
      ['strict: responder ratio to the bound', false],
      ['strict: responder 429s / calls', true],
      ['strict: naive baseline slower by', true],
    ]);
    const text = formatPacingReport(30, [result]);
    expect(text).toMatch(/strict: responder ratio to the bound\s+1\.120\s+<= 1\.10\s+NOT MET/);
    expect(text).toMatch(/9 \/ 1000 \(0\.90%\)\s+<= 1%\s+met/);
    expect(text).toContain('another app shares the tenant');
  });

  it('shows a contender the benchmark gave up on as slower than its figure, and never meets a goal with it', () => {
    const result: ProfileResult = {
      profile: 'strict',
      devices: 200,
      responder: measured({ ratioToLowerBound: 1.02, gaveUp: true, finished: 150 }),
      baseline: measured({ gaveUp: true, finished: 12 }),
      baselineSlowdown: 1,
    };
    expect(verdicts(result)[0]?.met).toBe(false);
    const text = formatPacingReport(30, [result]);
    expect(text).toMatch(/makespan \(simulated\)\s+> 20\.00 min/);
    expect(text).toContain('200 / 12 (gave up)');
  });

  it('holds a fleet of 1,000 devices with the quota to itself to 1.05 and no 429, and the share another app leaves to the pacing goals', () => {
    const fleet: ProfileResult = {
      profile: 'lenient',
      devices: 1_000,
      responder: measured({ ratioToLowerBound: 1.07, throttled429: 1, calls: 3_000 }),
    };
    expect(verdicts(fleet).map((v) => [v.goal, v.met])).toEqual([
      ['<= 1.05', false],
      ['<= 0%', false],
    ]);
    expect(
      verdicts({ ...fleet, responder: measured({ ratioToLowerBound: 1.04, throttled429: 0, calls: 3_000 }) }).every((v) => v.met),
    ).toBe(true);
    const shared = { ...fleet, otherApp: { callsPerMinute: 10 / 3, sessionMs: 150_000 } };
    expect(verdicts(shared).map((v) => [v.goal, v.met])).toEqual([
      ['<= 1.10', true],
      ['<= 1%', true],
    ]);
  });

  it('reports the responder alone when the baseline was skipped', () => {
    const text = formatPacingReport(10, [{ profile: 'lenient', devices: 1_000, responder: measured({ ratioToLowerBound: 1.03 }) }]);
    expect(text).toContain('lenient: responder');
    expect(text).not.toContain('naive');
  });
});
