/**
 * Block buffers shared by every evidence transfer of one process (one
 * Function instance): at most `maxBuffers` buffers of `blockSizeBytes` are
 * ever allocated, however many collect messages the host runs at once, so
 * block memory is bounded by a setting (EVIDENCE_INSTANCE_BLOCK_MEMORY_BYTES)
 * and not by how many files, or how large, are in flight.
 *
 * Buffers are allocated on first need and kept for reuse. A transfer that
 * holds none waits its turn (first come, first served); `stageBlocks` hands a
 * buffer back as soon as another transfer waits and it holds more than one,
 * so the pool is shared out rather than kept by the first transfers.
 */
export class BlockBufferPool {
  private readonly idle: Buffer[] = [];
  private readonly waiters: ((buffer: Buffer) => void)[] = [];
  private allocated = 0;

  constructor(
    readonly blockSizeBytes: number,
    readonly maxBuffers: number,
  ) {
    if (!Number.isSafeInteger(blockSizeBytes) || blockSizeBytes < 1)
      throw new RangeError(`blockSizeBytes: expected a positive integer, got ${blockSizeBytes}`);
    if (!Number.isSafeInteger(maxBuffers) || maxBuffers < 1)
      throw new RangeError(`maxBuffers: expected a positive integer, got ${maxBuffers}`);
  }

  /** A buffer at once (an idle one, or a new one while fewer than `maxBuffers` exist), or undefined. */
  tryTake(): Buffer | undefined {
    if (this.waiters.length > 0) return undefined;
    const reused = this.idle.pop();
    if (reused) return reused;
    if (this.allocated >= this.maxBuffers) return undefined;
    this.allocated += 1;
    // allocUnsafeSlow: a buffer of its own (not a slice of Node's shared pool).
    return Buffer.allocUnsafeSlow(this.blockSizeBytes);
  }

  /** A buffer, once one is free (waiters are served in turn). */
  take(): Promise<Buffer> {
    const now = this.tryTake();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Returns a buffer taken from this pool: to the longest waiting transfer, else kept idle. */
  give(buffer: Buffer): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(buffer);
    else this.idle.push(buffer);
  }

  /** Transfers waiting for a buffer. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Buffers allocated so far (never more than `maxBuffers`). */
  get allocatedBuffers(): number {
    return this.allocated;
  }
}
