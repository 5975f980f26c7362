import type { ContainerClient } from '@azure/storage-blob';
import { PassThrough, Readable } from 'node:stream';
import { ConfigError, PermanentError, TransientError } from '../errors.js';
import type { EvidenceStore, EvidenceWriteOptions } from '../evidence/store.js';
import { storageErrorCode, storageStatus, translateStorageError } from './storageErrors.js';

/**
 * EvidenceStore over Azure Blob Storage (block blobs).
 *
 * writeNew streams with `uploadStream`: memory is about blockSizeBytes x
 * maxConcurrency, and since a block blob holds at most 50,000 blocks the
 * largest evidence file is 50,000 x blockSizeBytes (beyond, the service
 * refuses the commit and writeNew fails with a PermanentError). Blocks are
 * staged as uncommitted and committed by one Put Block List conditioned on
 * If-None-Match: * — a stream error leaves only uncommitted blocks, which the
 * service discards (never a partial blob).
 *
 * Metadata and tags are sanitised (see `sanitizeMetadata`, `sanitizeTags`);
 * what cannot be sanitised is refused with a PermanentError before any I/O.
 */
export interface BlobEvidenceStoreOptions {
  /** Bytes per staged block (and per buffer). */
  blockSizeBytes: number;
  /** Blocks uploaded in parallel (buffers held = about this many). */
  maxConcurrency: number;
}

/** Largest block the service accepts (4000 MiB). */
const MAX_BLOCK_BYTES = 4000 * 1024 * 1024;
const MAX_BLOB_NAME_CHARS = 1024;
/** Names plus values of all metadata of a blob. */
const MAX_METADATA_BYTES = 8 * 1024;
const MAX_TAGS = 10;
const MAX_TAG_KEY_CHARS = 128;
const MAX_TAG_VALUE_CHARS = 256;

export class BlobEvidenceStore implements EvidenceStore {
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
  }

  /** Creates the container (private access) if it does not exist. */
  async ensureContainer(): Promise<void> {
    try {
      await this.container.createIfNotExists();
    } catch (error) {
      throw translateStorageError(error, `creating container ${this.container.containerName}`);
    }
  }

  /**
   * On 'exists' the body is left untouched (not read, not destroyed): the
   * caller disposes of it. On failure the body is destroyed.
   */
  async writeNew(name: string, body: Readable, options: EvidenceWriteOptions): Promise<'created' | 'exists'> {
    checkBlobName(name);
    const metadata = sanitizeMetadata(options.metadata ?? {});
    const tags = sanitizeTags(options.tags ?? {});
    const what = `writing evidence blob ${name}`;
    if (await this.exists(name)) return 'exists';
    const blob = this.container.getBlockBlobClient(name);
    try {
      await blob.uploadStream(body, this.options.blockSizeBytes, this.options.maxConcurrency, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: {
          blobContentType: options.contentType ?? 'application/octet-stream',
          ...(options.contentEncoding === undefined ? {} : { blobContentEncoding: options.contentEncoding }),
        },
        metadata,
        tags,
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
    out.on('close', () => { if (sdkStream instanceof Readable) sdkStream.destroy(); });
    sdkStream.pipe(out);
    return out;
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    checkBlobName(name);
    const text = JSON.stringify(value, null, 2) as string | undefined;
    if (text === undefined) throw new PermanentError(`blob ${name}: value cannot be written as JSON`);
    const bytes = Buffer.from(text, 'utf8');
    try {
      await this.container.getBlockBlobClient(name).upload(bytes, bytes.length, {
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
    } catch (error) {
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

function checkBlobName(name: string): void {
  const problem =
    name.length === 0 || name.length > MAX_BLOB_NAME_CHARS ? `must have 1 to ${MAX_BLOB_NAME_CHARS} characters` :
    /[\u0000-\u001f\u007f\\]/.test(name) ? 'must not contain control characters or backslashes' :
    /[./]$/.test(name) ? 'must not end with "." or "/"' : undefined;
  if (problem !== undefined) throw new PermanentError(`blob name ${JSON.stringify(name.slice(0, 100))} ${problem}`);
}

/**
 * Metadata names must be C# identifiers (case-insensitive): other characters
 * become `_`, a leading digit gets a `_` prefix; an empty name or two names
 * equal once sanitised are refused. Values must be printable ASCII: other
 * characters, `%`, and leading/trailing spaces are percent-encoded (UTF-8),
 * so `decodeURIComponent` restores the original.
 */
export function sanitizeMetadata(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  let bytes = 0;
  for (const [rawKey, rawValue] of Object.entries(metadata)) {
    if (rawKey.length === 0) throw new PermanentError('blob metadata name must not be empty');
    const key = rawKey.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
    if (seen.has(key.toLowerCase())) throw new PermanentError(`blob metadata name ${JSON.stringify(rawKey)} collides with another as ${key}`);
    seen.add(key.toLowerCase());
    const value = encodeMetadataValue(rawValue);
    out[key] = value;
    bytes += key.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) throw new PermanentError(`blob metadata is ${bytes} bytes; at most ${MAX_METADATA_BYTES} allowed`);
  return out;
}

function encodeMetadataValue(value: string): string {
  // Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, where encodeURIComponent would throw).
  const encoded = value.replace(/[^\u0020-\u0024\u0026-\u007e]+/g, (run) =>
    Array.from(Buffer.from(run, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
  return encoded.replace(/^ +| +$/g, (spaces) => '%20'.repeat(spaces.length));
}

/** Characters not allowed in blob index tag values. */
const TAG_UNSAFE = /[^A-Za-z0-9 +\-./:=_]/g;
/** Characters not used in tag keys (so that queries never need quoted keys). */
const TAG_KEY_UNSAFE = /[^A-Za-z0-9_]/g;

/** A tag value as `sanitizeTags` stores it: use it to build findBlobsByTags queries. */
export function sanitizeTagValue(value: string): string {
  return value.replace(TAG_UNSAFE, '_').slice(0, MAX_TAG_VALUE_CHARS);
}

/**
 * At most 10 tags; values 0-256 characters from `A-Za-z0-9 +-./:=_`, keys
 * 1-128 characters from `A-Za-z0-9_` (Azure allows the value set in keys too,
 * but such keys must then be double-quoted in findBlobsByTags queries, which
 * Azurite cannot parse). Other characters become `_`, longer text is cut; more
 * than 10 tags, an empty key, or two keys equal once sanitised are refused.
 */
export function sanitizeTags(tags: Record<string, string>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw new PermanentError(`a blob holds at most ${MAX_TAGS} index tags, got ${entries.length}`);
  const out: Record<string, string> = {};
  for (const [rawKey, rawValue] of entries) {
    if (rawKey.length === 0) throw new PermanentError('blob index tag key must not be empty');
    const key = rawKey.replace(TAG_KEY_UNSAFE, '_').slice(0, MAX_TAG_KEY_CHARS);
    if (Object.hasOwn(out, key)) throw new PermanentError(`blob index tag key ${JSON.stringify(rawKey)} collides with another as ${key}`);
    out[key] = sanitizeTagValue(rawValue);
  }
  return out;
}
