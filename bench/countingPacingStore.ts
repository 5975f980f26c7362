import type { PacingStore } from '../shared/pacing/pacer.js';

/** A pacing store that counts its reads and writes (benchmarks report them per alert). */
export class CountingPacingStore implements PacingStore {
  reads = 0;
  writes = 0;

  constructor(private readonly inner: PacingStore) {}

  load(): ReturnType<PacingStore['load']> {
    this.reads += 1;
    return this.inner.load();
  }

  save(...args: Parameters<PacingStore['save']>): ReturnType<PacingStore['save']> {
    this.writes += 1;
    return this.inner.save(...args);
  }

  reset(): void {
    this.reads = 0;
    this.writes = 0;
  }
}
