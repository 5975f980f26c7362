import type { ContainerClient } from '@azure/storage-blob';
import { PassThrough, Readable } from 'node:stream';
import { ConfigError, PermanentError, TransientError } from '../errors.js';
import { BlockBufferPool } from '../evidence/blockBufferPool.js';
import { stageBlocks } from '../evidence/blocks.js';
import type { EvidenceStore, EvidenceWriteOptions, JsonWriteCondition } from '../evidence/store.js';
import { checkBlobName, sanitizeMetadata, sanitizeTags } from './blobProperties.js';
import { storageErrorCode, storageStatus, translateStorageError } from './storageErrors.js';

export { sanitizeMetadata, sanitizeTags, sanitizeTagValue } from './blobProperties.js';

/**
 * EvidenceStore over Azure Blob Storage (block blobs).
 *
 * writeNew stages blocks itself (`stageBlocks`): a transfer holds at most
 * (maxConcurrency + 1) x blockSizeBytes (maxConcurrency blocks staged while
 * one more fills), whatever the size of the file, and all the transfers of
 * one store together at most maxBlockMemoryBytes: their buffers come from one
 * pool (`BlockBufferPool`), shared out between the transfers running at once. The
 * blocks are committed by one Put Block List conditioned on If-None-Match: *
 * only after the body ended cleanly and the caller's seal accepted it, so the
 * SHA-256 goes into the blob's metadata and index tags in the same atomic
 * commit. A failure leaves only uncommitted blocks, which the service
 * discards: never a partial blob. A block blob holds at most 50,000 blocks,
 * so the largest evidence file is 50,000 x blockSizeBytes (PermanentError
 * beyond).
 *
 * Metadata and tags are sanitised (blobProperties.ts); what cannot be
 * sanitised is refused with a PermanentError before any I/O.
 */
export interface BlobEvidenceStoreOptions {
  /** Bytes per staged block (and per pooled buffer). */
  blockSizeBytes: number;
  /** Blocks staged in parallel per transfer; it holds one buffer more, filling meanwhile. */
  maxConcurrency: number;
  /**
   * Block buffer memory of all this store's transfers together (rounded down to whole blocks, at least
   * one). Default: (maxConcurrency + 1) blocks, enough for one transfer at full speed.
   */
  maxBlockMemoryBytes?: number;
}

/** Largest block the service accepts (4000 MiB). */
const MAX_BLOCK_BYTES = 4000 * 1024 * 1024;
/** Largest JSON document readJson reads (a manifest of tens of thousands of items). */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export class BlobEvidenceStore implements EvidenceStore {
  private readonly pool: BlockBufferPool;

  constructor(
    private readonly container: ContainerClient,
    private readonly options: BlobEvidenceStoreOptions,
  ) {
    const { blockSizeBytes, maxConcurrency } = options;
    if (!Number.isSafeInteger(blockSizeBytes) || blockSizeBytes < 1 || blockSizeBytes > MAX_BLOCK_BYTES) {
      throw new ConfigError('blockSizeBytes', `must be an integer from 1 to ${MAX_BLOCK_BYTES}, got ${blockSizeBytes}`);
    }
    if (!Number.isSafeInteger(maxConcurrency) || maxConcurrency < 1) {
      throw new ConfigError('maxConcurrency', `must be a positive integer, got ${maxConcurrency}`);
    }
    const memory = options.maxBlockMemoryBytes ?? blockSizeBytes * (maxConcurrency + 1);
    if (!Number.isSafeInteger(memory) || memory < blockSizeBytes) {
      throw new ConfigError('maxBlockMemoryBytes', `must be an integer of at least blockSizeBytes (${blockSizeBytes}), got ${memory}`);
    }
    this.pool = new BlockBufferPool(blockSizeBytes, Math.floor(memory / blockSizeBytes));
  }

  /** Creates the container (private access) if it does not exist. */
  async ensureContainer(): Promise<void> {
    try {
      await this.container.createIfNotExists();
    } catch (error) {
      throw translateStorageError(error, `creating container ${this.container.containerName}`);
    }
  }

  /** On failure the body is destroyed; on 'exists' before reading it is left untouched. */
  async writeNew(name: string, body: Readable, options: EvidenceWriteOptions): Promise<'created' | 'exists'> {
    checkBlobName(name);
    // Refuse what cannot be sanitised before any I/O (sealed values are checked again at commit).
    sanitizeMetadata(options.metadata ?? {});
    sanitizeTags(options.tags ?? {});
    const what = `writing evidence blob ${name}`;
    if (await this.exists(name)) return 'exists';
    const blob = this.container.getBlockBlobClient(name);
    try {
      const { blockIds } = await stageBlocks(body, {
        blockSizeBytes: this.options.blockSizeBytes,
        concurrency: this.options.maxConcurrency,
        pool: this.pool,
        stage: async (blockId, data) => void (await blob.stageBlock(blockId, data, data.length)),
      });
      const sealed = options.seal?.() ?? {};
      await blob.commitBlockList(blockIds, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: {
          blobContentType: options.contentType ?? 'application/octet-stream',
          ...(options.contentEncoding === undefined ? {} : { blobContentEncoding: options.contentEncoding }),
        },
        metadata: sanitizeMetadata({ ...options.metadata, ...sealed.metadata }),
        tags: sanitizeTags({ ...options.tags, ...sealed.tags }),
      });
      return 'created';
    } catch (error) {
      // 409: another writer committed first. 400 InvalidBlockList: its commit discarded our staged blocks.
      const lostRace = storageStatus(error) === 409 || storageErrorCode(error) === 'InvalidBlockList';
      if (lostRace && (await this.exists(name))) return 'exists';
      body.destroy();
      throw translateStorageError(error, what);
    }
  }

  async exists(name: string): Promise<boolean> {
    try {
      return await this.container.getBlobClient(name).exists();
    } catch (error) {
      throw translateStorageError(error, `checking blob ${name}`);
    }
  }

  /**
   * Streams the stored bytes exactly (no Content-Encoding decoding; a broken
   * connection resumes from the offset reached). Errors, at open or while
   * streaming, are translated: a missing blob rejects with NotFoundError.
   */
  async openRead(name: string): Promise<Readable> {
    const what = `reading blob ${name}`;
    let source: NodeJS.ReadableStream | undefined;
    try {
      source = (await this.container.getBlobClient(name).download()).readableStreamBody;
    } catch (error) {
      throw translateStorageError(error, what);
    }
    if (source === undefined) throw new TransientError(`${what}: the download has no body`);
    const sdkStream = source;
    const out = new PassThrough();
    sdkStream.on('error', (error: unknown) => out.destroy(translateStorageError(error, what)));
    // If the reader stops early, release the connection.
    out.on('close', () => {
      if (sdkStream instanceof Readable) sdkStream.destroy();
    });
    sdkStream.pipe(out);
    return out;
  }

  async readJson(name: string): Promise<{ value: unknown; etag: string } | undefined> {
    checkBlobName(name);
    const what = `reading JSON blob ${name}`;
    try {
      const response = await this.container.getBlobClient(name).download();
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of (response.readableStreamBody ?? []) as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > MAX_JSON_BYTES) throw new PermanentError(`${what}: larger than ${MAX_JSON_BYTES} bytes`);
        chunks.push(chunk);
      }
      if (response.etag === undefined) throw new TransientError(`${what}: the service sent no ETag`);
      return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, etag: response.etag };
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      if (error instanceof SyntaxError) throw new PermanentError(`${what}: not valid JSON`, { cause: error });
      throw translateStorageError(error, what);
    }
  }

  async writeJson(name: string, value: unknown, condition?: JsonWriteCondition): Promise<'written' | 'conflict'> {
    checkBlobName(name);
    const text = JSON.stringify(value, null, 2) as string | undefined;
    if (text === undefined) throw new PermanentError(`blob ${name}: value cannot be written as JSON`);
    const bytes = Buffer.from(text, 'utf8');
    try {
      await this.container.getBlockBlobClient(name).upload(bytes, bytes.length, {
        blobHTTPHeaders: { blobContentType: 'application/json' },
        ...(condition === undefined ? {} : { conditions: condition }),
      });
      return 'written';
    } catch (error) {
      const status = storageStatus(error);
      // 412: changed since read; 409: created since read; 404: deleted since read (If-Match).
      if (condition !== undefined && (status === 412 || status === 409 || status === 404)) return 'conflict';
      throw translateStorageError(error, `writing JSON blob ${name}`);
    }
  }

  locate(name: string): string {
    const url = new URL(this.container.getBlobClient(name).url);
    url.search = '';
    url.hash = '';
    return url.toString();
  }
}
