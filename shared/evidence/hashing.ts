import { createHash } from 'node:crypto';
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import { constants, createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib';
import { PermanentError, TransientError } from '../errors.js';

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

/** Decoded bytes always allowed, whatever the ratio (a gzip header alone can expand a lot). */
const RATIO_ALLOWANCE_BYTES = 1024 * 1024;
/** Larger output chunks than zlib's 16 KiB default: fewer events and hash calls per GiB. */
const GUNZIP_CHUNK_BYTES = 256 * 1024;
/**
 * Input the decoder may hold before the tap waits for it. zlib works on the
 * thread pool: with the 16 KiB default the tap waited on almost every chunk
 * and the whole transfer ran at a third of its speed.
 */
const GUNZIP_INPUT_BUFFER_BYTES = 1024 * 1024;

/**
 * A pass-through that hashes every byte it forwards and, for gzip content,
 * also decompresses a copy only to hash the original file. Nothing is
 * buffered beyond a chunk. The decoded copy is capped by size and by ratio:
 * a decompression bomb aborts the stream (PermanentError) before one byte
 * past a cap is hashed, and is never expanded to memory or disk. Gzip that
 * ends early (a truncated transfer) fails with a TransientError; gzip that is
 * not gzip fails with a PermanentError.
 */
export class HashingTap extends Transform {
  private readonly received = createHash('sha256');
  private receivedBytes = 0;
  private readonly gunzip?: Gunzip;
  private readonly original = createHash('sha256');
  private originalBytes = 0;
  private readonly gunzipEnded: Promise<void>;
  private readonly prefixChunks: Buffer[] = [];
  private prefixBytes = 0;

  constructor(private readonly options: HashingTapOptions) {
    super();
    if (!options.decodeGzip) {
      this.gunzipEnded = Promise.resolve();
      return;
    }
    // zlib streams take stream options too, though ZlibOptions does not declare them.
    const zlibOptions: ZlibOptions & Pick<TransformOptions, 'writableHighWaterMark'> = { chunkSize: GUNZIP_CHUNK_BYTES, writableHighWaterMark: GUNZIP_INPUT_BUFFER_BYTES };
    const gunzip = createGunzip(zlibOptions);
    this.gunzip = gunzip;
    this.gunzipEnded = new Promise((resolve, reject) => {
      gunzip.on('data', (chunk: Buffer) => this.onDecoded(gunzip, chunk));
      gunzip.once('end', () => resolve());
      gunzip.once('error', (error) => reject(classifyGunzipError(error)));
    });
    this.gunzipEnded.catch((error: unknown) => this.destroy(error as Error));
  }

  private onDecoded(gunzip: Gunzip, chunk: Buffer): void {
    if (gunzip.destroyed) return;
    const cap = Math.min(this.options.maxOriginalBytes, Math.max(RATIO_ALLOWANCE_BYTES, this.receivedBytes * this.options.maxRatio));
    if (this.originalBytes + chunk.length > cap) {
      gunzip.destroy(new PermanentError(
        `decoded content would exceed its cap (${cap} bytes from ${this.receivedBytes} received; limits ${this.options.maxOriginalBytes} bytes, ratio ${this.options.maxRatio}:1): aborted as a possible decompression bomb`,
      ));
      return;
    }
    this.originalBytes += chunk.length;
    this.original.update(chunk);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received.update(chunk);
    this.receivedBytes += chunk.length;
    this.keepPrefix(chunk);
    if (this.gunzip && !this.gunzip.write(chunk)) {
      this.gunzip.once('drain', () => callback(null, chunk));
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.gunzip) return callback();
    this.gunzip.end();
    this.gunzipEnded.then(() => callback(), (error: unknown) => callback(error as Error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.gunzip?.destroy();
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
      original: this.gunzip ? { sha256: this.original.copy().digest('hex'), sizeBytes: this.originalBytes } : undefined,
    };
  }
}

function classifyGunzipError(error: unknown): Error {
  if (error instanceof PermanentError) return error;
  const code = (error as { errno?: number }).errno;
  const message = error instanceof Error ? error.message : String(error);
  if (code === constants.Z_BUF_ERROR) return new TransientError(`gzip content ended early (a truncated transfer): ${message}`);
  return new PermanentError(`content is not valid gzip: ${message}`);
}
