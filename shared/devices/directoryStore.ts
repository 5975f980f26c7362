import { z } from 'zod';
import type { Machine } from '../defender/types.js';
import type { Versioned } from '../runs/model.js';

/**
 * The cached device directory: what the responder knows of each device
 * Defender lists (name, tags, OS platform, health), written by the refresh
 * timer from `GET /machines`, read by alert intake, manual runs and dry runs
 * so that none of them pays a Defender call per device.
 */
export const cachedDeviceSchema = z.object({
  /** Lower-case 40-hex Defender device id. */
  id: z.string().regex(/^[0-9a-f]{40}$/, 'a lower-case 40-hex-digit Defender device id'),
  name: z.string().optional(),
  tags: z.array(z.string()),
  osPlatform: z.string().optional(),
  healthStatus: z.string().optional(),
});
export type CachedDevice = z.infer<typeof cachedDeviceSchema>;

/** The directory's own record: when a refresh last listed every device, and how many miss look-ups are left until the next. */
export const directoryStateSchema = z.object({
  /** Absent until the first complete refresh. */
  refreshedMs: z.number().optional(),
  /** Look-ups (GET /machines/{id}) intake may still make for devices missing from the directory, tenant-wide. */
  missLookupsLeft: z.number().int().min(0),
});
export type DirectoryState = z.infer<typeof directoryStateSchema>;

/** A machine record as the directory keeps it; undefined when its id is not a Defender device id. */
export function cachedDeviceOf(machine: Machine): CachedDevice | undefined {
  const parsed = cachedDeviceSchema.safeParse({
    id: machine.id.toLowerCase(),
    name: machine.computerDnsName ?? undefined,
    tags: machine.machineTags,
    osPlatform: machine.osPlatform ?? undefined,
    healthStatus: machine.healthStatus ?? undefined,
  });
  return parsed.success ? parsed.data : undefined;
}

/**
 * Adapters: TableDeviceDirectoryStore (Azure); the in-memory fake in
 * test/helpers. Both pass test/contracts/deviceDirectoryStore.contract.ts.
 * A stored record that fails its schema is refused (PermanentError), and so
 * is a device to write that fails it.
 */
export interface DeviceDirectoryStore {
  /** The stored devices among `ids` (matched without regard to case), keyed by lower-case id; ids not stored are absent. */
  getMany(ids: readonly string[]): Promise<Map<string, CachedDevice>>;
  /** Every stored device. */
  listAll(): Promise<CachedDevice[]>;
  /** Stores these devices (replacing what was stored under their ids) and removes these ids (an id not stored is no error). */
  write(devices: readonly CachedDevice[], removeIds: readonly string[]): Promise<void>;
  /** The directory's state; undefined until it is first saved. */
  loadState(): Promise<Versioned<DirectoryState> | undefined>;
  /** Saves the state if the stored one still carries `etag` (undefined: only if none exists yet); 'conflict' otherwise. */
  saveState(state: DirectoryState, etag: string | undefined): Promise<'ok' | 'conflict'>;
}
