import type { FileSource } from './content.js';

/**
 * The file system of one simulated device: path → content. Windows paths
 * compare case-insensitively and accept `/` for `\`; other platforms compare
 * exactly.
 */
export class DeviceFiles {
  private readonly files = new Map<string, { path: string; source: FileSource }>();

  constructor(private readonly windows: boolean) {}

  private key(path: string): string {
    return this.windows ? path.replace(/\//g, '\\').toLowerCase() : path;
  }

  get(path: string): FileSource | undefined {
    return this.files.get(this.key(path))?.source;
  }

  set(path: string, source: FileSource): void {
    this.files.set(this.key(path), { path: this.windows ? path.replace(/\//g, '\\') : path, source });
  }

  paths(): string[] {
    return [...this.files.values()].map((f) => f.path);
  }
}

export const isWindowsPlatform = (osPlatform: string): boolean => /^windows/i.test(osPlatform);

/** The last path segment (either separator). */
export const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;
