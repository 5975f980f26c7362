import { describe, expect, it } from 'vitest';
import { goalsFor } from '../../../bench/evidence/options.js';
import { formatReport, ratio, reportJson, type PhaseReport, type Report } from '../../../bench/evidence/report.js';

const MiB = 2 ** 20;
const SIZE = 3 * 1024 * MiB;

/** A phase that moved SIZE at `mibPerSecond`, with the given RSS before and at peak. */
const phase = (mibPerSecond: number, rssBeforeMiB = 86, peakMiB = 130): PhaseReport => ({
  bytes: SIZE,
  seconds: 3072 / mibPerSecond,
  files: [{ bytes: SIZE, seconds: 3072 / mibPerSecond }],
  cpuSeconds: 10,
  rssBeforeBytes: rssBeforeMiB * MiB,
  peakRssBytes: peakMiB * MiB,
  gc: { major: 0, minor: 300, pauseSeconds: 0.2 },
  other: {},
});

const report = (rounds: Report['rounds']): Report => ({
  sizeBytes: SIZE,
  concurrent: 1,
  cpus: 2,
  node: 'v20',
  loadAverage: { start: 0, end: 0 },
  simulator: 'process',
  nodeArguments: { used: [], app: [], missing: [] },
  environment: { used: [], app: [], missing: [] },
  blockSizeBytes: 4 * MiB,
  concurrency: 2,
  rounds,
  rssMethod: 'VmHWM',
  verified: true,
  verifiedFiles: 1,
  storedSha256: 'a'.repeat(64),
  originalSha256: 'b'.repeat(64),
  goals: { maxPeakRssBytes: 150 * MiB, minRatio: 0.8 },
});

describe('the evidence benchmark report', () => {
  it('divides our best round by the best round of the slower baseline', () => {
    const r = report([
      { ours: phase(100), download: phase(400), upload: phase(150) },
      { ours: phase(120), download: phase(380), upload: phase(200) },
    ]);
    expect(ratio(r)).toEqual({ value: 120 / 200, slower: 'upload' });
    expect(formatReport(r)).toContain('ours / slower baseline (upload): 0.60   goal >= 0.8: MISSED');
  });

  it('judges peak memory on the first round only, and shows later rounds with the RSS the baselines left', () => {
    const r = report([
      { ours: phase(120, 85, 140), download: phase(400), upload: phase(130) },
      { ours: phase(110, 148, 165), download: phase(400), upload: phase(130) },
    ]);
    const text = formatReport(r);
    expect(text).toContain('our peak RSS: 140.0 MiB (85.0 MiB before the transfer)   goal <= 150 MiB: met');
    expect(text).toContain('later rounds, in a process the baselines have grown: 165 from 148 MiB');
    expect(reportJson(r)).toMatchObject({ oursPeakRssBytes: 140 * MiB, goalsMet: { ratio: true, peakRss: true } });
  });

  it('says MISSED when the first round peaks above the goal', () => {
    const r = report([{ ours: phase(120, 85, 151), download: phase(400), upload: phase(130) }]);
    expect(formatReport(r)).toContain('goal <= 150 MiB: MISSED');
    expect(reportJson(r)).toMatchObject({ goalsMet: { peakRss: false } });
  });

  it('reports several files at once by aggregate throughput (all bytes over the wall time) and by each file, against the 250 MiB goal', () => {
    const GiB = 1024 * MiB;
    // 8 files of 1 GiB: ours ends after 80 s (files ending from 60 to 80 s), downloads after 20 s, uploads after 64 s.
    const eight = (seconds: number, firstSeconds: number, peakMiB: number): PhaseReport => ({
      ...phase(1, 90, peakMiB),
      bytes: 8 * GiB,
      seconds,
      files: Array.from({ length: 8 }, (_, i) => ({ bytes: GiB, seconds: firstSeconds + ((seconds - firstSeconds) * i) / 7 })),
    });
    const r: Report = {
      ...report([{ ours: eight(80, 60, 240), download: eight(20, 20, 120), upload: eight(64, 64, 130) }]),
      sizeBytes: GiB,
      concurrent: 8,
      verifiedFiles: 8,
      goals: goalsFor(8),
    };
    const text = formatReport(r);
    expect(text).toContain('8 GetFiles of 1.00 GiB (1073741824 bytes each) at once, from 8 devices,');
    expect(text).toMatch(/ours: 8 collect messages handled at once +8\.00 GiB in {2}80\.0 s = {2}102\.4 MiB\/s/);
    expect(text).toContain('per file: 12.8 MiB/s slowest');
    expect(text).toContain('ours / slower baseline (upload): 0.80   goal >= 0.8: met');
    expect(text).toContain('our peak RSS: 240.0 MiB (90.0 MiB before the transfer)   goal <= 250 MiB: met');
    expect(text).toContain('(8 of 8 files equal to their source)');
    expect(reportJson(r)).toMatchObject({
      ratioToSlowerBaseline: 0.8,
      best: { upload: { throughputMiBs: 128, perFileMiBs: { slowest: 16 } } },
    });
  });
});
