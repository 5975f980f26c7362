import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** Garbage collections of this process's main isolate over a phase. */
export interface GcTally {
  /** Full (mark-compact) collections. */
  major: number;
  /** Young-generation collections (scavenges). */
  minor: number;
  /** Main-thread time in collections of any kind (concurrent marking on helper threads is not included). */
  pauseSeconds: number;
}

/**
 * Counts this process's garbage collections from now until `stop()`. A
 * transfer allocates a new buffer for every network chunk and every decoded
 * chunk (in Node itself: the socket read, the HTTP parser's copy, zlib's
 * output); when V8 answers that external memory with back-to-back full
 * collections instead of scavenges, the CPU time shows up here.
 */
export function gcTally(): { stop: () => Promise<GcTally> } {
  const tally: GcTally = { major: 0, minor: 0, pauseSeconds: 0 };
  const count = (entry: PerformanceEntry): void => {
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) tally.major += 1;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) tally.minor += 1;
    tally.pauseSeconds += entry.duration / 1000;
  };
  const observer = new PerformanceObserver((list) => list.getEntries().forEach(count));
  observer.observe({ entryTypes: ['gc'] });
  return {
    // Entries are delivered asynchronously: let the last ones arrive before counting.
    stop: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      observer.takeRecords().forEach(count);
      observer.disconnect();
      return tally;
    },
  };
}
