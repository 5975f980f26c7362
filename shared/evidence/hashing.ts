import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { GunzipHasher } from './gunzipHasher.js';

export interface StreamDigest {
  sha256: string;
  sizeBytes: number;
  /** Present when the stream was also decoded (gzip) to hash the original. */
  original?: { sha256: string; sizeBytes: number };
}

export interface HashingTapOptions {
  /** Also gunzip a copy, only to hash the original file. */
  decodeGzip: boolean;
  /** Cap on decoded bytes. */
  maxOriginalBytes: number;
  /** Cap on decoded bytes per received byte (beyond a 1 MiB allowance). */
  maxRatio: number;
  /** Keep the first N received bytes (a transcript to summarise); default 0. */
  keepPrefixBytes?: number;
}

/**
 * A pass-through that hashes every byte it forwards and, for gzip content,
 * also decompresses a copy only to hash the original file (GunzipHasher).
 * Nothing is buffered beyond a chunk and the decoder's two 1 MiB input
 * buffers. The decoded copy is capped by size and by ratio:
 * a decompression bomb aborts the stream (PermanentError) before one byte
 * past a cap is hashed, and is never expanded to memory or disk. Gzip that
 * ends early (a truncated transfer) fails with a TransientError; gzip that is
 * not gzip fails with a PermanentError.
 */
export class HashingTap extends Transform {
  private readonly received = createHash('sha256');
  private receivedBytes = 0;
  private readonly original?: GunzipHasher;
  private readonly prefixChunks: Buffer[] = [];
  private prefixBytes = 0;

  constructor(private readonly options: HashingTapOptions) {
    super();
    if (!options.decodeGzip) return;
    this.original = new GunzipHasher({
      maxOriginalBytes: options.maxOriginalBytes,
      maxRatio: options.maxRatio,
      receivedBytes: () => this.receivedBytes,
    });
    this.original.ended.catch((error: unknown) => this.destroy(error as Error));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received.update(chunk);
    this.receivedBytes += chunk.length;
    this.keepPrefix(chunk);
    if (!this.original) return callback(null, chunk);
    this.original.write(chunk, () => callback(null, chunk));
  }

  override _flush(callback: TransformCallback): void {
    if (!this.original) return callback();
    this.original.end().then(
      () => callback(),
      (error: unknown) => callback(error as Error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.original?.destroy();
    callback(error);
  }

  private keepPrefix(chunk: Buffer): void {
    const room = (this.options.keepPrefixBytes ?? 0) - this.prefixBytes;
    if (room <= 0) return;
    const kept = Buffer.from(chunk.subarray(0, room));
    this.prefixChunks.push(kept);
    this.prefixBytes += kept.length;
  }

  /** The first `keepPrefixBytes` received bytes (all of them if the content was shorter). */
  prefix(): Buffer {
    return Buffer.concat(this.prefixChunks);
  }

  /** Valid once the stream has ended. */
  digest(): StreamDigest {
    return {
      sha256: this.received.copy().digest('hex'),
      sizeBytes: this.receivedBytes,
      original: this.original?.digest(),
    };
  }
}
