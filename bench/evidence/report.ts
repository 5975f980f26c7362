import type { GcTally } from './gcTally.js';
import type { Goals } from './options.js';
import { mib } from './size.js';

export interface PhaseReport {
  /** Bytes of every transfer of the phase together. */
  bytes: number;
  /** Wall time of the phase: all transfers started together, until the last ended. */
  seconds: number;
  /** Each transfer: its bytes and the seconds until it ended (one entry per concurrent file). */
  files: { bytes: number; seconds: number }[];
  /** CPU time of this process (all threads) during the phase. */
  cpuSeconds: number;
  /** This process's RSS just before the phase, and its peak during it. */
  rssBeforeBytes: number;
  peakRssBytes: number;
  /** This process's garbage collections during the phase. */
  gc: GcTally;
  /** Peak RSS and CPU time of the other processes (Azurite; the simulator when it runs apart). */
  other: Record<string, { peakRssBytes: number; cpuSeconds: number }>;
}

export interface Report {
  /** Bytes of each file. */
  sizeBytes: number;
  /** Files moved at once in each phase (1: one file alone). */
  concurrent: number;
  cpus: number;
  node: string;
  /** 1-minute load average at the start and the end (other work on the machine skews every figure). */
  loadAverage: { start: number; end: number };
  simulator: 'in-process' | 'process';
  /** This process's Node arguments, and those of the app (WORKER_NODE_ARGUMENTS) it was started without. */
  nodeArguments: { used: string[]; app: string[]; missing: string[] };
  /** The app's environment (WORKER_ENVIRONMENT) as this process has it (`NAME=value` or `NAME unset`), and what it lacks. */
  environment: { used: string[]; app: string[]; missing: string[] };
  blockSizeBytes: number;
  concurrency: number;
  /** Each round's three phases (ours first). */
  rounds: { ours: PhaseReport; download: PhaseReport; upload: PhaseReport }[];
  rssMethod: string;
  /** Every stored file's original SHA-256 and size equal the simulator's source file. */
  verified: boolean;
  /** How many of the `concurrent` stored files were verified equal. */
  verifiedFiles: number;
  /** The first file's stored and original SHA-256. */
  storedSha256: string;
  originalSha256: string;
  goals: Goals;
}

/** A phase's aggregate throughput: the bytes of all its transfers over its wall time. */
export const throughputMiBs = (p: PhaseReport): number => mib(p.bytes) / p.seconds;

/** Each transfer's own throughput: the mean over the phase's files, and the slowest. */
export function perFileMiBs(p: PhaseReport): { mean: number; slowest: number } {
  const rates = p.files.map((f) => mib(f.bytes) / f.seconds);
  return { mean: rates.reduce((sum, r) => sum + r, 0) / Math.max(1, rates.length), slowest: Math.min(...rates) };
}

type PhaseName = 'ours' | 'download' | 'upload';

/** A phase's best round: the fastest, the least disturbed by other work on the machine. */
export function best(r: Report, phase: PhaseName): PhaseReport {
  const [first, ...rest] = r.rounds.map((round) => round[phase]);
  if (!first) throw new Error('no rounds');
  return rest.reduce((a, b) => (throughputMiBs(b) > throughputMiBs(a) ? b : a), first);
}

/**
 * Our peak RSS: round 1's, measured in a process that had moved no data yet.
 * Later rounds start after the baselines, whose freed memory the allocator
 * keeps, so their peaks are listed but not judged.
 */
export const oursPeakRss = (r: Report): number => r.rounds[0]?.ours.peakRssBytes ?? 0;

/** Ours over the slower of the two baselines (best rounds), and which one that is. */
export function ratio(r: Report): { value: number; slower: 'download' | 'upload' } {
  const slower = throughputMiBs(best(r, 'download')) <= throughputMiBs(best(r, 'upload')) ? 'download' : 'upload';
  return { value: throughputMiBs(best(r, 'ours')) / throughputMiBs(best(r, slower)), slower };
}

export function formatReport(r: Report): string {
  const { value, slower } = ratio(r);
  const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  const line = (label: string, phase: PhaseName): string[] => {
    const p = best(r, phase);
    const all = r.rounds.length > 1 ? `   (rounds: ${r.rounds.map((round) => throughputMiBs(round[phase]).toFixed(1)).join(', ')})` : '';
    const files = perFileMiBs(p);
    return [
      `  ${label.padEnd(62)} ${(mib(p.bytes) / 1024).toFixed(2)} GiB in ${p.seconds.toFixed(1).padStart(5)} s = ${throughputMiBs(p).toFixed(1).padStart(6)} MiB/s${all}`,
      ...(r.concurrent > 1
        ? [`  ${''.padEnd(62)} per file: ${files.slowest.toFixed(1)} MiB/s slowest, ${files.mean.toFixed(1)} MiB/s on average`]
        : []),
      `  ${''.padEnd(62)} this process: CPU ${p.cpuSeconds.toFixed(1)} s (${p.gc.major} full GCs, ${p.gc.minor} scavenges, ${p.gc.pauseSeconds.toFixed(2)} s paused), peak RSS ${mib(p.peakRssBytes).toFixed(0)} MiB (${mib(p.rssBeforeBytes).toFixed(0)} before)` +
        Object.entries(p.other)
          .map(([who, o]) => `; ${who}: CPU ${o.cpuSeconds.toFixed(1)} s, peak RSS ${mib(o.peakRssBytes).toFixed(0)} MiB`)
          .join(''),
    ];
  };
  const peak = oursPeakRss(r);
  const missing = [...r.nodeArguments.missing, ...r.environment.missing];
  const before = r.rounds[0]?.ours.rssBeforeBytes ?? 0;
  const what =
    r.concurrent > 1
      ? `${r.concurrent} GetFiles of ${(mib(r.sizeBytes) / 1024).toFixed(2)} GiB (${r.sizeBytes} bytes each) at once, from ${r.concurrent} devices,`
      : `one GetFile of ${(mib(r.sizeBytes) / 1024).toFixed(2)} GiB (${r.sizeBytes} bytes)`;
  const label = (one: string, many: string): string => (r.concurrent > 1 ? many : one);
  return [
    `Evidence benchmark: ${what} served gzip by the simulator (${r.simulator}); ${r.cpus} CPUs, Node ${r.node}, load average ${r.loadAverage.start.toFixed(2)} -> ${r.loadAverage.end.toFixed(2)}`,
    `Node arguments: ${r.nodeArguments.used.join(' ') || '(none)'}; environment: ${r.environment.used.join(' ') || '(none)'}` +
      (missing.length === 0
        ? ' (as the Function App runs: languageWorkers__node__arguments and app settings)'
        : `; WITHOUT the app's ${missing.join(' ')}, so this does not measure the collector as the app runs it`),
    `Block size ${mib(r.blockSizeBytes).toFixed(0)} MiB, ${r.concurrency} blocks in flight per file (EVIDENCE_BLOCK_SIZE_BYTES, EVIDENCE_UPLOAD_CONCURRENCY)`,
    `${r.rounds.length} round(s); each phase's best round is shown` +
      label('', `; each phase moves ${r.concurrent} files at once, throughput = all bytes / the phase's wall time`),
    ...line(
      label('ours: link -> SHA-256 (gzip + original) -> blocks -> commit', `ours: ${r.concurrent} collect messages handled at once`),
      'ours',
    ),
    ...line(
      label('baseline 1: raw download of the same link to /dev/null', `baseline 1: ${r.concurrent} raw downloads at once to /dev/null`),
      'download',
    ),
    ...line(
      label('baseline 2: raw upload of a local file (SDK uploadFile)', `baseline 2: ${r.concurrent} raw uploads at once (SDK uploadFile)`),
      'upload',
    ),
    `  ours / slower baseline (${slower}): ${value.toFixed(2)}   goal >= ${r.goals.minRatio}: ${met(value >= r.goals.minRatio)}`,
    `  our peak RSS: ${mib(peak).toFixed(1)} MiB (${mib(before).toFixed(1)} MiB before the transfer)   goal <= ${mib(r.goals.maxPeakRssBytes).toFixed(0)} MiB: ${met(peak <= r.goals.maxPeakRssBytes)}` +
      (r.rounds.length > 1
        ? `   (later rounds, in a process the baselines have grown: ${r.rounds
            .slice(1)
            .map((round) => `${mib(round.ours.peakRssBytes).toFixed(0)} from ${mib(round.ours.rssBeforeBytes).toFixed(0)}`)
            .join(', ')} MiB)`
        : ''),
    `  measured: ${r.rssMethod} of this process, which runs the collector${r.simulator === 'in-process' ? ' AND the simulator serving the file' : ' (the simulator runs in a child process)'};`,
    '  Azurite always runs in a child process; other processes are reported apart.',
    `  stored sha256 ${r.storedSha256}${label('', ' (file 1)')}`,
    `  original sha256 ${r.originalSha256}: ${r.verified ? "equal to the simulator's source file" : 'DOES NOT MATCH the source file'}` +
      label('', ` (${r.verifiedFiles} of ${r.concurrent} files equal to their source)`),
  ].join('\n');
}

/** The report with its derived figures, as `--json` prints it. */
export function reportJson(r: Report): Record<string, unknown> {
  const { value, slower } = ratio(r);
  const withRate = (p: PhaseReport): PhaseReport & { throughputMiBs: number; perFileMiBs: { mean: number; slowest: number } } => ({
    ...p,
    throughputMiBs: throughputMiBs(p),
    perFileMiBs: perFileMiBs(p),
  });
  const peak = oursPeakRss(r);
  return {
    ...r,
    rounds: r.rounds.map((round) => ({ ours: withRate(round.ours), download: withRate(round.download), upload: withRate(round.upload) })),
    best: { ours: withRate(best(r, 'ours')), download: withRate(best(r, 'download')), upload: withRate(best(r, 'upload')) },
    ratioToSlowerBaseline: value,
    slowerBaseline: slower,
    oursPeakRssBytes: peak,
    goalsMet: { ratio: value >= r.goals.minRatio, peakRss: peak <= r.goals.maxPeakRssBytes },
    rssNote: `peak RSS of the benchmark process (${r.rssMethod}), which runs the collector${r.simulator === 'in-process' ? ' and the simulator' : ''}; Azurite${r.simulator === 'process' ? ' and the simulator' : ''} run as child processes (phase.other)`,
  };
}
