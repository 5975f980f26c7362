import type { LibraryAdminApi } from '../defender/port.js';
import type { LibraryFile } from '../defender/types.js';
import type { LocalLibraryFile } from './localLibrary.js';

/** The upload limit of POST /api/libraryfiles (API page: 20 MB; the simulator's default too). */
export const LIBRARY_API_MAX_BYTES = 20 * 1024 * 1024;
/** Names Live Response runs (portal note: letters, digits, `-`, `_`, `.`). */
const SAFE_NAME = /^[A-Za-z0-9._-]{1,128}$/;

export type SyncAction = 'upload-new' | 'upload-changed' | 'unchanged' | 'refused' | 'delete' | 'remote-only';

export interface SyncItem {
  fileName: string;
  action: SyncAction;
  detail: string;
}

export interface SyncOptions {
  maxBytes: number;
  /** Delete library files that are not in the local folder (default: only report them). */
  prune: boolean;
}

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

/**
 * What a sync would do, file by file: upload what is new or whose SHA-256
 * differs, leave what is the same, refuse what the API would refuse (over
 * the size limit, a name Live Response cannot run), and report (or, with
 * `prune`, delete) what the tenant has that the folder does not.
 */
export function planLibrarySync(local: readonly LocalLibraryFile[], remote: readonly LibraryFile[], options: SyncOptions): SyncItem[] {
  const remoteByName = new Map(remote.map((r) => [r.fileName.toLowerCase(), r]));
  const items: SyncItem[] = local.map((file): SyncItem => {
    if (!SAFE_NAME.test(file.fileName))
      return {
        fileName: file.fileName,
        action: 'refused',
        detail: 'the name must be letters, digits, - _ . only (Live Response cannot run other names)',
      };
    if (file.content.length > options.maxBytes) {
      return {
        fileName: file.fileName,
        action: 'refused',
        detail: `${mib(file.content.length)} is over the library upload limit of ${mib(options.maxBytes)}; not uploaded`,
      };
    }
    const existing = remoteByName.get(file.fileName.toLowerCase());
    if (!existing) return { fileName: file.fileName, action: 'upload-new', detail: `sha256 ${file.sha256.slice(0, 12)}…` };
    if ((existing.sha256 ?? '').toLowerCase() === file.sha256)
      return { fileName: file.fileName, action: 'unchanged', detail: `sha256 ${file.sha256.slice(0, 12)}…` };
    return {
      fileName: file.fileName,
      action: 'upload-changed',
      detail: `sha256 ${(existing.sha256 ?? 'none').slice(0, 12)}… -> ${file.sha256.slice(0, 12)}…`,
    };
  });
  const localNames = new Set(local.map((f) => f.fileName.toLowerCase()));
  for (const r of remote) {
    if (localNames.has(r.fileName.toLowerCase())) continue;
    items.push({
      fileName: r.fileName,
      action: options.prune ? 'delete' : 'remote-only',
      detail: options.prune ? 'not in the local folder' : 'not in the local folder (kept; --prune deletes it)',
    });
  }
  return items;
}

export interface SyncReport {
  items: SyncItem[];
  /** True when nothing was refused. */
  ok: boolean;
}

/** Lists the tenant's library, plans, and (unless `dryRun`) uploads and deletes accordingly. */
export async function syncLibrary(
  api: LibraryAdminApi,
  local: readonly LocalLibraryFile[],
  options: SyncOptions & { dryRun: boolean },
): Promise<SyncReport> {
  const items = planLibrarySync(local, await api.listLibraryFiles(), options);
  if (!options.dryRun) {
    for (const item of items) {
      const file = local.find((f) => f.fileName === item.fileName);
      if (file && (item.action === 'upload-new' || item.action === 'upload-changed')) {
        await api.uploadLibraryFile({
          fileName: file.fileName,
          content: file.content,
          description: file.description,
          parametersDescription: file.parametersDescription,
          hasParameters: file.hasParameters,
          overrideIfExists: item.action === 'upload-changed',
        });
      } else if (item.action === 'delete') {
        await api.deleteLibraryFile(item.fileName);
      }
    }
  }
  return { items, ok: items.every((i) => i.action !== 'refused') };
}
