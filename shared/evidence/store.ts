import type { Readable } from 'node:stream';

/**
 * Where evidence bytes go (Azure Blob Storage; Azurite locally). Evidence
 * blobs are created only if absent and never overwritten; the run manifest
 * is the one document that is replaced, and only conditionally (ETag).
 */
export interface EvidenceStore {
  /**
   * Streams `body` into a new blob named `name`, staging blocks as they
   * arrive with bounded memory. The blob is committed (create-if-absent)
   * only after the body ended cleanly and `options.seal` accepted it; a body
   * error, a refused seal or any failure leaves nothing committed.
   * Resolves 'exists' without reading `body` when the blob already exists,
   * and 'exists' when another writer committed it first; the caller then
   * disposes of `body`.
   */
  writeNew(name: string, body: Readable, options: EvidenceWriteOptions): Promise<'created' | 'exists'>;
  exists(name: string): Promise<boolean>;
  /** Streams a stored blob back exactly (to re-hash evidence whose record was not written). */
  openRead(name: string): Promise<Readable>;
  /** A small JSON document with the version tag a conditional write must quote; undefined when absent. */
  readJson(name: string): Promise<{ value: unknown; etag: string } | undefined>;
  /**
   * Writes a small JSON document: only if absent (`{ ifNoneMatch: '*' }`),
   * only if unchanged since read (`{ ifMatch: etag }`), or unconditionally.
   * 'conflict' when the condition does not hold.
   */
  writeJson(name: string, value: unknown, condition?: JsonWriteCondition): Promise<'written' | 'conflict'>;
  /** A location a person can use to find the blob (URL without any SAS). */
  locate(name: string): string;
}

export type JsonWriteCondition = { ifMatch: string } | { ifNoneMatch: '*' };

export interface EvidenceWriteOptions {
  contentType?: string;
  contentEncoding?: string;
  /** Blob metadata (ASCII keys/values). */
  metadata?: Record<string, string>;
  /** Blob index tags, for finding evidence by run, device, alert, SHA-256. */
  tags?: Record<string, string>;
  /**
   * Called once the body has ended cleanly and every block is staged, just
   * before the commit. Throw to refuse the commit (nothing is committed);
   * return what is known only now (the SHA-256), merged over `metadata` and
   * `tags`.
   */
  seal?: () => EvidenceSeal;
}

export interface EvidenceSeal {
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
}
