import { cpuSecondsOf, PeakRss } from './memory.js';
import { flushDisks } from './baselines.js';
import { gcTally } from './gcTally.js';
import type { PhaseReport } from './report.js';

/** One transfer of a phase: resolves to the bytes it moved. */
export type Transfer = () => Promise<number>;

/**
 * Runs one measured phase: disks flushed first, then the transfers started
 * together and timed (the phase until the last ends, and each on its own),
 * with this process's peak RSS, CPU time and garbage collections, and the
 * peak RSS and CPU time of the other processes named (Azurite, the simulator
 * when it runs apart).
 */
export function phaseRunner(others: Record<string, number | undefined>, say: (line: string) => void) {
  const ours = new PeakRss('self', () => process.memoryUsage.rss());
  const run = async (name: string, transfers: Transfer[]): Promise<PhaseReport> => {
    flushDisks();
    say(`${name} ...`);
    const rssBeforeBytes = ours.now();
    const watched = Object.entries(others).flatMap(([who, pid]) =>
      pid === undefined ? [] : [{ who, pid, rss: new PeakRss(pid, () => undefined), cpu: cpuSecondsOf(pid) }],
    );
    ours.start();
    for (const w of watched) w.rss.start();
    const gc = gcTally();
    const started = performance.now();
    const cpu = process.cpuUsage();
    const files = await Promise.all(
      transfers.map(async (transfer) => {
        const bytes = await transfer();
        return { bytes, seconds: (performance.now() - started) / 1000 };
      }),
    );
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - started) / 1000;
    const peakRssBytes = ours.stop().peakBytes;
    const gcs = await gc.stop();
    const other = Object.fromEntries(
      watched.map((w) => [w.who, { peakRssBytes: w.rss.stop().peakBytes, cpuSeconds: (cpuSecondsOf(w.pid) ?? 0) - (w.cpu ?? 0) }]),
    );
    return {
      bytes: files.reduce((sum, f) => sum + f.bytes, 0),
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      files,
      rssBeforeBytes,
      peakRssBytes,
      gc: gcs,
      other,
    };
  };
  return { run, method: () => ours.stop().method };
}
