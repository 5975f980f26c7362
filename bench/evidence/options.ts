import { parseSize } from './size.js';
import { MAX_BENCH_DEVICES } from './target.js';

export interface EvidenceBenchOptions {
  /** Bytes of each file. */
  sizeBytes: number;
  /** Files collected at once (one device each), and baseline transfers at once. */
  concurrent: number;
  simulator: 'in-process' | 'process';
  repeat: number;
  json: boolean;
}

export interface Goals {
  maxPeakRssBytes: number;
  minRatio: number;
}

const MiB = 1024 * 1024;

/**
 * The goals a run is judged by: one file alone, peak RSS at most 150 MiB; several
 * at once (issue 16: 8 GetFiles of 1 GiB, as host.json's maxConcurrentCalls
 * lets one instance run), at most 250 MiB. Either way at least 0.8 of the
 * slower baseline.
 */
export function goalsFor(concurrent: number): Goals {
  return { maxPeakRssBytes: (concurrent > 1 ? 250 : 150) * MiB, minRatio: 0.8 };
}

/**
 * Free disk a run needs in TMPDIR: Azurite holds each collected blob and each
 * baseline upload (2 x concurrent files), plus the one local file the upload
 * baseline reads, plus a fifth of each file for Azurite's own files and logs
 * (3.2 x size for one file, as before).
 */
export function diskNeededBytes(sizeBytes: number, concurrent: number): number {
  return sizeBytes * (2.2 * concurrent + 1);
}

/** Parses the benchmark's command line values (node:util parseArgs output); errors name the option. */
export function benchOptions(values: {
  size?: string;
  concurrent?: string;
  simulator?: string;
  repeat?: string;
  json?: boolean;
}): EvidenceBenchOptions {
  const sizeBytes = parseSize(values.size ?? '3GB');
  const where = values.simulator ?? 'process';
  if (where !== 'in-process' && where !== 'process') throw new Error(`--simulator: expected in-process or process, got ${where}`);
  const repeat = wholeNumber('--repeat', values.repeat ?? '1', 'a whole number of rounds');
  const concurrent = wholeNumber('--concurrent', values.concurrent ?? '1', `a whole number of files from 1 to ${MAX_BENCH_DEVICES}`);
  if (concurrent > MAX_BENCH_DEVICES) {
    throw new Error(`--concurrent: expected a whole number of files from 1 to ${MAX_BENCH_DEVICES}, got ${concurrent}`);
  }
  return { sizeBytes, concurrent, simulator: where, repeat, json: values.json ?? false };
}

function wholeNumber(option: string, text: string, expected: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${option}: expected ${expected}, got ${text}`);
  return n;
}
