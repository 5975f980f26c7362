import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { PermanentError } from '../errors.js';
import { BlockBufferPool } from './blockBufferPool.js';

/** An Azure block blob holds at most this many committed blocks. */
export const MAX_BLOCKS = 50_000;

export interface BlockStagingOptions {
  blockSizeBytes: number;
  /**
   * Blocks staged at once. One more buffer fills while they are staged, so
   * this transfer holds at most (concurrency + 1) x blockSizeBytes.
   */
  concurrency: number;
  /**
   * Where the buffers come from: a pool shared by every transfer of the
   * process, whose size caps their block memory together (blocks of
   * `blockSizeBytes`). Default: a pool of this transfer's own.
   */
  pool?: BlockBufferPool;
  /** Default MAX_BLOCKS: a longer body is refused (PermanentError) before its extra block is staged. */
  maxBlocks?: number;
  /**
   * Stages one block. `data` is a view of a pooled buffer that is reused once
   * the promise settles: copy it if it must outlive the call.
   */
  stage(blockId: string, data: Buffer): Promise<void>;
}

export interface StagedBlocks {
  /** In order; commit exactly this list. */
  blockIds: string[];
  sizeBytes: number;
}

/**
 * Reads `body` to its end, cutting it into blocks of `blockSizeBytes` (the
 * last one shorter) and staging them with at most `concurrency` in flight.
 * Memory does not grow with the body: buffers are reused, at most
 * `concurrency + 1` of them. The extra one fills while the others are
 * staged, so a block is ready the moment a stage ends and the storage service
 * always has `concurrency` blocks to work on (with only `concurrency`
 * buffers, a slot sat idle while its buffer refilled: about a quarter of the
 * time against Azurite). A full buffer waits for a free slot, and the body is
 * not read meanwhile (back-pressure reaches the network).
 *
 * With a shared `pool`, transfers running at once draw on it together: a
 * transfer takes buffers while the pool has them (up to its own
 * `concurrency + 1`), keeps going with the ones it has when the pool is
 * empty (each stage that ends frees one), waits in turn when it has none,
 * and hands a buffer back whenever another transfer waits and it holds more
 * than one. Every buffer goes back to the pool when the transfer ends.
 *
 * Block ids carry a random per-call prefix, so two writers of one blob never
 * stage over each other's blocks. Nothing is committed here: the caller
 * commits the returned list once it knows the content is complete. On any
 * failure (body error, stage error, too many blocks) the body is destroyed,
 * the stages in flight are awaited, and the first error is thrown.
 */
export async function stageBlocks(body: Readable, options: BlockStagingOptions): Promise<StagedBlocks> {
  const { blockSizeBytes, concurrency } = options;
  const maxBlocks = options.maxBlocks ?? MAX_BLOCKS;
  const pool = options.pool ?? new BlockBufferPool(blockSizeBytes, concurrency + 1);
  if (pool.blockSizeBytes !== blockSizeBytes) {
    throw new RangeError(`block staging: the pool's buffers are ${pool.blockSizeBytes} bytes, blocks ${blockSizeBytes}`);
  }
  const prefix = randomBytes(6).toString('hex');
  const blockIds: string[] = [];
  /** Buffers this transfer holds (filling, in flight or free), all returned to the pool at the end. */
  const held = new Set<Buffer>();
  const free: Buffer[] = [];
  let released: (() => void) | undefined;
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const wait = (): Promise<void> =>
    new Promise<void>((resolve) => {
      released = resolve;
    });
  // A free buffer of ours, else one from the pool (up to concurrency + 1 held), else wait: for one of
  // our stages to end if any is in flight, or for the pool if we hold nothing (a failed stage keeps its
  // buffer, but sets `failure`).
  const takeBuffer = async (): Promise<Buffer> => {
    for (;;) {
      if (failure) throw failure.error;
      const reused = free.pop();
      if (reused) return reused;
      const taken = held.size <= concurrency ? pool.tryTake() : undefined;
      const buffer = taken ?? (held.size === 0 ? await pool.take() : undefined);
      if (buffer) {
        held.add(buffer);
        return buffer;
      }
      await wait();
    }
  };
  const slotFree = async (): Promise<void> => {
    for (;;) {
      if (failure) throw failure.error;
      if (inFlight.size < concurrency) return;
      await wait();
    }
  };
  const release = (): void => {
    const wake = released;
    released = undefined;
    wake?.();
  };
  const recycle = (buffer: Buffer): void => {
    if (pool.waiting > 0 && held.size > 1) {
      held.delete(buffer);
      pool.give(buffer);
    } else {
      free.push(buffer);
    }
  };
  const launch = (buffer: Buffer, length: number): void => {
    if (blockIds.length >= maxBlocks) {
      throw new PermanentError(`content exceeds ${maxBlocks} blocks of ${blockSizeBytes} bytes, the most one blob can hold`);
    }
    const blockId = Buffer.from(`${prefix}-${String(blockIds.length).padStart(6, '0')}`).toString('base64');
    blockIds.push(blockId);
    const staging: Promise<void> = options
      .stage(blockId, buffer.subarray(0, length))
      .then(
        () => recycle(buffer),
        (error: unknown) => void (failure ??= { error }),
      )
      .finally(() => {
        inFlight.delete(staging);
        release();
      });
    inFlight.add(staging);
  };

  let sizeBytes = 0;
  try {
    let current = await takeBuffer();
    let filled = 0;
    for await (const raw of body) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(chunk.length - offset, blockSizeBytes - filled);
        chunk.copy(current, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === blockSizeBytes) {
          await slotFree();
          launch(current, filled);
          sizeBytes += filled;
          current = await takeBuffer();
          filled = 0;
        }
      }
      if (failure) throw failure.error;
    }
    if (filled > 0) {
      await slotFree();
      launch(current, filled);
      sizeBytes += filled;
    }
    await Promise.all(inFlight);
    if (failure) throw failure.error;
  } catch (error) {
    body.destroy();
    await Promise.allSettled(inFlight);
    throw failure ? failure.error : error;
  } finally {
    for (const buffer of held) pool.give(buffer);
  }
  return { blockIds, sizeBytes };
}
