import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { PermanentError } from '../errors.js';

/** An Azure block blob holds at most this many committed blocks. */
export const MAX_BLOCKS = 50_000;

export interface BlockStagingOptions {
  blockSizeBytes: number;
  /**
   * Blocks staged at once. One more buffer fills while they are staged, so
   * memory held is (concurrency + 1) x blockSizeBytes, allocated once.
   */
  concurrency: number;
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
 * Memory does not grow with the body: a fixed pool of `concurrency + 1`
 * buffers is reused. The extra one fills while the others are staged, so a
 * block is ready the moment a stage ends and the storage service always has
 * `concurrency` blocks to work on (with only `concurrency` buffers, a slot sat
 * idle while its buffer refilled: about a quarter of the time against
 * Azurite). A full buffer waits for a free slot, and the body is not read
 * meanwhile (back-pressure reaches the network).
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
  const prefix = randomBytes(6).toString('hex');
  const blockIds: string[] = [];
  const free: Buffer[] = [];
  let allocated = 0;
  let released: (() => void) | undefined;
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  // Never waits: a block is launched only into a free stage slot, so at most
  // `concurrency` buffers are in flight and one of the `concurrency + 1` is
  // free or not yet allocated (a failed stage keeps its buffer, but sets `failure`).
  const takeBuffer = (): Buffer => {
    if (failure) throw failure.error;
    const reused = free.pop();
    if (reused) return reused;
    if (allocated > concurrency) throw new Error('block staging: every buffer is busy although a stage slot was free');
    allocated += 1;
    // allocUnsafeSlow: a buffer of its own (not a slice of Node's shared pool).
    return Buffer.allocUnsafeSlow(blockSizeBytes);
  };
  const slotFree = async (): Promise<void> => {
    for (;;) {
      if (failure) throw failure.error;
      if (inFlight.size < concurrency) return;
      await new Promise<void>((resolve) => {
        released = resolve;
      });
    }
  };
  const release = (): void => {
    const wake = released;
    released = undefined;
    wake?.();
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
        () => void free.push(buffer),
        (error: unknown) => void (failure ??= { error }),
      )
      .finally(() => {
        inFlight.delete(staging);
        release();
      });
    inFlight.add(staging);
  };

  let current = takeBuffer();
  let filled = 0;
  let sizeBytes = 0;
  try {
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
          current = takeBuffer();
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
  }
  return { blockIds, sizeBytes };
}
