import { Readable } from 'node:stream';
import { checkBlobName, sanitizeMetadata, sanitizeTags } from '../../shared/azure/blobProperties.js';
import { translateStorageError } from '../../shared/azure/storageErrors.js';
import { NotFoundError, PermanentError } from '../../shared/errors.js';
import type { EvidenceStore, EvidenceWriteOptions, JsonWriteCondition } from '../../shared/evidence/store.js';
import { settle } from './settle.js';

interface MemoryBlob {
  bytes: Buffer;
  options?: EvidenceWriteOptions;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  version: number;
}

/**
 * Evidence in memory, held to the EvidenceStore contract
 * (test/contracts/evidenceStore.contract.ts) like the Blob adapter: names,
 * metadata and tags are checked and sanitised by the same rules before the
 * body is read; a blob is committed only after a clean end and an accepted
 * seal; a failing body rejects as the adapter's does (TransientError, cause
 * kept); JSON writes are conditional.
 */
export class MemoryEvidenceStore implements EvidenceStore {
  blobs = new Map<string, MemoryBlob>();
  private versions = 0;

  async writeNew(name: string, body: Readable, options: EvidenceWriteOptions): Promise<'created' | 'exists'> {
    checkBlobName(name);
    sanitizeMetadata(options.metadata ?? {});
    sanitizeTags(options.tags ?? {});
    if (this.blobs.has(name)) return 'exists';
    let blob: MemoryBlob;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const sealed = options.seal?.() ?? {};
      blob = {
        bytes: Buffer.concat(chunks),
        options,
        version: ++this.versions,
        metadata: sanitizeMetadata({ ...options.metadata, ...sealed.metadata }),
        tags: sanitizeTags({ ...options.tags, ...sealed.tags }),
      };
    } catch (error) {
      body.destroy();
      throw translateStorageError(error, `writing evidence blob ${name}`);
    }
    if (this.blobs.has(name)) return 'exists';
    this.blobs.set(name, blob);
    return 'created';
  }

  exists(name: string): Promise<boolean> {
    return Promise.resolve(this.blobs.has(name));
  }

  openRead(name: string): Promise<Readable> {
    const blob = this.blobs.get(name);
    if (!blob) return Promise.reject(new NotFoundError(`reading blob ${name}: no such blob`));
    return Promise.resolve(Readable.from([blob.bytes]));
  }

  readJson(name: string): Promise<{ value: unknown; etag: string } | undefined> {
    return settle(() => {
      checkBlobName(name);
      const blob = this.blobs.get(name);
      if (!blob) return undefined;
      try {
        return { value: JSON.parse(blob.bytes.toString('utf8')) as unknown, etag: String(blob.version) };
      } catch (error) {
        throw new PermanentError(`reading JSON blob ${name}: not valid JSON`, { cause: error });
      }
    });
  }

  writeJson(name: string, value: unknown, condition?: JsonWriteCondition): Promise<'written' | 'conflict'> {
    return settle(() => {
      checkBlobName(name);
      const text = JSON.stringify(value, null, 2) as string | undefined;
      if (text === undefined) throw new PermanentError(`blob ${name}: value cannot be written as JSON`);
      const current = this.blobs.get(name);
      if (condition && 'ifNoneMatch' in condition && current) return 'conflict';
      if (condition && 'ifMatch' in condition && String(current?.version) !== condition.ifMatch) return 'conflict';
      this.blobs.set(name, { bytes: Buffer.from(text, 'utf8'), version: ++this.versions });
      return 'written';
    });
  }

  locate(name: string): string {
    return `memory://${name}`;
  }
}
