import { sha256Of, sizeOf, type FileSource } from './content.js';
import type { Positioned } from './paging.js';
import type { ValueFormat } from './valueFormats.js';

/** One live response library file (mde-api.md 5). */
export interface LibraryFileRecord {
  readonly fileName: string;
  readonly description: string | null;
  readonly hasParameters: boolean;
  readonly parametersDescription: string | null;
  readonly source: FileSource;
  readonly sha256: string;
  readonly creationMs: number;
  readonly lastUpdatedMs: number;
  readonly createdBy: string;
}

/** Names the API accepts for scripts at run time (portal note: alphanumerics, `-`, `_`, `.`). */
export const SAFE_LIBRARY_NAME = /^[A-Za-z0-9._-]+$/;

/** The tenant's library. Names compare case-insensitively (simulator choice). */
export class LibraryStore {
  private readonly files = new Map<string, LibraryFileRecord>();
  /** Upload number of each name (a replaced file keeps its place, a deleted one loses it), for keyset paging. */
  private readonly positions = new Map<string, number>();
  private uploads = 0;

  get(name: string): LibraryFileRecord | undefined {
    return this.files.get(name.toLowerCase());
  }

  list(): LibraryFileRecord[] {
    return [...this.files.values()];
  }

  /** Adds or replaces; keeps the first creation time of a replaced file. */
  put(file: Omit<LibraryFileRecord, 'sha256' | 'creationMs'> & { creationMs?: number }): LibraryFileRecord {
    const existing = this.get(file.fileName);
    const record: LibraryFileRecord = {
      ...file,
      creationMs: existing?.creationMs ?? file.creationMs ?? file.lastUpdatedMs,
      sha256: sha256Of(file.source),
    };
    const key = file.fileName.toLowerCase();
    this.files.set(key, record);
    if (!this.positions.has(key)) this.positions.set(key, this.uploads++);
    return record;
  }

  delete(name: string): boolean {
    this.positions.delete(name.toLowerCase());
    return this.files.delete(name.toLowerCase());
  }

  /** In upload order, each with its upload number. */
  positioned(): Positioned<LibraryFileRecord>[] {
    return [...this.files.entries()].map(([key, entity]) => ({ position: this.positions.get(key) ?? 0, entity }));
  }
}

export function libraryFileJson(file: LibraryFileRecord, format: ValueFormat): Record<string, unknown> {
  const entity = `library:${file.fileName.toLowerCase()}`;
  return {
    fileName: file.fileName,
    sha256: file.sha256,
    description: file.description,
    creationTime: format.time(file.creationMs, entity),
    lastUpdatedTime: format.time(file.lastUpdatedMs, entity),
    createdBy: file.createdBy,
    hasParameters: file.hasParameters,
    parametersDescription: file.parametersDescription,
    sizeInBytes: sizeOf(file.source),
  };
}
