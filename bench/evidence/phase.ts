import { cpuSecondsOf, PeakRss } from './memory.js';
import { flushDisks, timed } from './baselines.js';
import { gcTally } from './gcTally.js';
import type { PhaseReport } from './report.js';

/**
 * Runs one measured phase: disks flushed first, then the work timed, with
 * this process's peak RSS, CPU time and garbage collections, and the peak
 * RSS and CPU time of the other processes named (Azurite, the simulator
 * when it runs apart).
 */
export function phaseRunner(others: Record<string, number | undefined>, say: (line: string) => void) {
  const ours = new PeakRss('self', () => process.memoryUsage.rss());
  const run = async (name: string, work: () => Promise<number>): Promise<PhaseReport> => {
    flushDisks();
    say(`${name} ...`);
    const rssBeforeBytes = ours.now();
    const watched = Object.entries(others).flatMap(([who, pid]) =>
      pid === undefined ? [] : [{ who, pid, rss: new PeakRss(pid, () => undefined), cpu: cpuSecondsOf(pid) }],
    );
    ours.start();
    for (const w of watched) w.rss.start();
    const gc = gcTally();
    const result = await timed(work);
    const peakRssBytes = ours.stop().peakBytes;
    const gcs = await gc.stop();
    const other = Object.fromEntries(
      watched.map((w) => [w.who, { peakRssBytes: w.rss.stop().peakBytes, cpuSeconds: (cpuSecondsOf(w.pid) ?? 0) - (w.cpu ?? 0) }]),
    );
    return { ...result, rssBeforeBytes, peakRssBytes, gc: gcs, other };
  };
  return { run, method: () => ours.stop().method };
}
