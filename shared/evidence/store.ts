import type { Readable } from 'node:stream';

/**
 * Where evidence bytes go (Azure Blob Storage; Azurite locally). Blobs are
 * created only if absent: evidence is never overwritten.
 */
export interface EvidenceStore {
  /**
   * Streams `body` into a new blob named `name`. The blob is committed only
   * when the stream ends cleanly; a stream error leaves nothing committed.
   * Resolves 'exists' without reading `body` when the blob already exists.
   */
  writeNew(name: string, body: Readable, options: EvidenceWriteOptions): Promise<'created' | 'exists'>;
  exists(name: string): Promise<boolean>;
  /** Streams a stored blob back (to re-hash evidence whose record was not written). */
  openRead(name: string): Promise<Readable>;
  /** Writes (or replaces) a small JSON document such as a run manifest. */
  writeJson(name: string, value: unknown): Promise<void>;
  /** A location a person can use to find the blob (URL without any SAS). */
  locate(name: string): string;
}

export interface EvidenceWriteOptions {
  contentType?: string;
  contentEncoding?: string;
  /** Blob metadata (ASCII keys/values). */
  metadata?: Record<string, string>;
  /** Blob index tags, for finding evidence by run, device, alert, SHA-256. */
  tags?: Record<string, string>;
}
