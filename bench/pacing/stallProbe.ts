import { performance } from 'node:perf_hooks';

/** One probe: when it was sent (simulated ms since the run's start) and how long its answer took (wall ms). */
export interface ProbeSample {
  atMs: number;
  tookWallMs: number;
}

/** How the storage emulator answered while the run went on. */
export interface StallReport {
  probes: number;
  /** The slowest answer (wall ms), and when it was asked (simulated ms since the run's start). */
  slowestWallMs: number;
  slowestAtMs: number;
  /** Answers slower than STALL_WALL_MS: how many, and their wall time in all. */
  stalls: number;
  stalledWallMs: number;
}

/** An answer slower than this (wall ms) is a stall: at x10 it is 10 simulated seconds in which no worker got an answer either. */
export const STALL_WALL_MS = 1_000;

export function summariseProbes(samples: readonly ProbeSample[]): StallReport {
  const slowest = samples.reduce<ProbeSample | undefined>((a, b) => (a && a.tookWallMs >= b.tookWallMs ? a : b), undefined);
  const stalled = samples.filter((s) => s.tookWallMs > STALL_WALL_MS);
  return {
    probes: samples.length,
    slowestWallMs: slowest?.tookWallMs ?? 0,
    slowestAtMs: slowest?.atMs ?? 0,
    stalls: stalled.length,
    stalledWallMs: stalled.reduce((sum, s) => sum + s.tookWallMs, 0),
  };
}

export function formatStalls(r: StallReport): string {
  return (
    `storage answered ${r.probes} probes, the slowest in ${(r.slowestWallMs / 1000).toFixed(1)} wall s ` +
    `(asked at minute ${(r.slowestAtMs / 60_000).toFixed(0)}); ${r.stalls} took over ${STALL_WALL_MS / 1000} s, ${(r.stalledWallMs / 1000).toFixed(1)} wall s in all`
  );
}

/**
 * Asks the storage emulator one cheap question every `everyWallMs` (each
 * after the last is answered) and times the answer: a stall of the emulator
 * (one Node process serving every worker) shows as one slow answer, when it
 * happened. Benchmarks only; its own load is one request a second.
 */
export function startStallProbe(
  ask: () => Promise<unknown>,
  sinceStartMs: () => number,
  everyWallMs = 1_000,
): { stop(): Promise<StallReport> } {
  const samples: ProbeSample[] = [];
  let running = true;
  const loop = (async (): Promise<void> => {
    while (running) {
      const atMs = sinceStartMs();
      const started = performance.now();
      await ask().catch(() => undefined);
      samples.push({ atMs, tookWallMs: performance.now() - started });
      await new Promise((r) => setTimeout(r, everyWallMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return summariseProbes(samples);
    },
  };
}
