import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { PermanentError } from '../errors.js';

export interface StreamDigest {
  sha256: string;
  sizeBytes: number;
  /** Present when the stream was also decoded (gzip) to hash the original. */
  original?: { sha256: string; sizeBytes: number };
}

/**
 * A pass-through that hashes every byte it forwards and, for gzip content,
 * also decompresses a copy only to hash the original file. Nothing is
 * buffered beyond a chunk; the decoded copy is capped (size and ratio) so a
 * decompression bomb aborts the stream instead of expanding.
 */
export class HashingTap extends Transform {
  private readonly received = createHash('sha256');
  private receivedBytes = 0;
  private readonly gunzip?: Gunzip;
  private readonly original = createHash('sha256');
  private originalBytes = 0;
  private readonly gunzipEnded: Promise<void>;

  constructor(private readonly options: { decodeGzip: boolean; maxOriginalBytes: number; maxRatio: number }) {
    super();
    if (!options.decodeGzip) {
      this.gunzipEnded = Promise.resolve();
      return;
    }
    const gunzip = createGunzip();
    this.gunzip = gunzip;
    this.gunzipEnded = new Promise((resolve, reject) => {
      gunzip.on('data', (chunk: Buffer) => {
        this.originalBytes += chunk.length;
        this.original.update(chunk);
        const ratioLimit = Math.max(1024 * 1024, this.receivedBytes * options.maxRatio);
        if (this.originalBytes > options.maxOriginalBytes || this.originalBytes > ratioLimit) {
          const error = new PermanentError(`decoded content exceeds its cap (${this.originalBytes} bytes from ${this.receivedBytes} received): aborted as a possible decompression bomb`);
          gunzip.destroy(error);
        }
      });
      gunzip.once('end', () => resolve());
      gunzip.once('error', (error) => reject(error instanceof PermanentError ? error : new PermanentError(`content is not valid gzip: ${error.message}`)));
    });
    this.gunzipEnded.catch((error: unknown) => this.destroy(error as Error));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received.update(chunk);
    this.receivedBytes += chunk.length;
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

  /** Valid once the stream has finished. */
  digest(): StreamDigest {
    return {
      sha256: this.received.copy().digest('hex'),
      sizeBytes: this.receivedBytes,
      original: this.gunzip ? { sha256: this.original.copy().digest('hex'), sizeBytes: this.originalBytes } : undefined,
    };
  }
}
