import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Peak resident memory of a process over a phase. On Linux the kernel keeps
 * the high-water mark (VmHWM) exactly, and writing 5 to clear_refs resets it
 * to the current RSS, so a phase's peak is read, not sampled. Elsewhere (or
 * if /proc refuses) a 20 ms sampler of RSS stands in, which can miss a short
 * spike.
 */
export class PeakRss {
  private sampled = 0;
  private timer?: NodeJS.Timeout;
  private readonly procStatus: string;
  private readonly procClear: string;

  constructor(
    private readonly pid: number | 'self',
    private readonly sample: () => number | undefined,
  ) {
    this.procStatus = `/proc/${pid}/status`;
    this.procClear = `/proc/${pid}/clear_refs`;
  }

  /** Starts a phase: resets the kernel's mark and the sampler. */
  start(): void {
    try {
      writeFileSync(this.procClear, '5');
    } catch {
      // no /proc (or not ours): the sampler alone measures
    }
    this.sampled = this.sample() ?? 0;
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      this.sampled = Math.max(this.sampled, this.sample() ?? 0);
    }, 20);
    this.timer.unref();
  }

  /** Ends the phase: the peak in bytes, and how it was measured. */
  stop(): { peakBytes: number; method: 'kernel high-water mark (VmHWM)' | 'sampled every 20 ms' } {
    clearInterval(this.timer);
    const hwm = readKib(this.procStatus, 'VmHWM');
    return hwm === undefined
      ? { peakBytes: this.sampled, method: 'sampled every 20 ms' }
      : { peakBytes: Math.max(hwm, this.sampled), method: 'kernel high-water mark (VmHWM)' };
  }

  /** Current RSS in bytes. */
  now(): number {
    return readKib(this.procStatus, 'VmRSS') ?? this.sample() ?? 0;
  }
}

function readKib(file: string, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined elsewhere. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces) start at "state"; utime and stime are the 12th and 13th of them.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}
