import {
  cachedDeviceSchema,
  directoryStateSchema,
  type CachedDevice,
  type DeviceDirectoryStore,
  type DirectoryState,
} from '../../shared/devices/directoryStore.js';
import { NotFoundError, PermanentError } from '../../shared/errors.js';
import type { Versioned } from '../../shared/runs/model.js';

/**
 * The device directory of one process. Like the Table adapter it keeps JSON
 * text and checks it against the same schemas, so a record the adapter would
 * refuse is refused here too (test/contracts/deviceDirectoryStore.contract.ts).
 */
export class MemoryDeviceDirectoryStore implements DeviceDirectoryStore {
  private readonly devices = new Map<string, string>();
  private state: { json: string; version: number } | undefined;
  /** Calls made, for tests that count reads. */
  readonly calls: { getMany: number; listAll: number; write: number; loadState: number } = {
    getMany: 0,
    listAll: 0,
    write: 0,
    loadState: 0,
  };

  getMany(ids: readonly string[]): Promise<Map<string, CachedDevice>> {
    this.calls.getMany += 1;
    const found = new Map<string, CachedDevice>();
    for (const id of ids) {
      const json = this.devices.get(id.toLowerCase());
      if (json !== undefined) {
        const device = parseDevice(json);
        if (!device) return Promise.reject(new PermanentError(`device ${id} in memory is not valid`));
        found.set(device.id, device);
      }
    }
    return Promise.resolve(found);
  }

  listAll(): Promise<CachedDevice[]> {
    this.calls.listAll += 1;
    const devices: CachedDevice[] = [];
    for (const [id, json] of this.devices) {
      const device = parseDevice(json);
      if (!device) return Promise.reject(new PermanentError(`device ${id} in memory is not valid`));
      devices.push(device);
    }
    return Promise.resolve(devices);
  }

  write(devices: readonly CachedDevice[], removeIds: readonly string[]): Promise<void> {
    this.calls.write += 1;
    for (const device of devices) {
      const checked = cachedDeviceSchema.safeParse(device);
      if (!checked.success) return Promise.reject(new PermanentError(`device ${String(device.id)} is not a valid directory record`));
      this.devices.set(checked.data.id, JSON.stringify(checked.data));
    }
    for (const id of removeIds) this.devices.delete(id.toLowerCase());
    return Promise.resolve();
  }

  /** Stores a record without checking it (tests of what a reader does with a bad one). */
  putRaw(id: string, json: string): void {
    this.devices.set(id.toLowerCase(), json);
  }

  loadState(): Promise<Versioned<DirectoryState> | undefined> {
    this.calls.loadState += 1;
    if (!this.state) return Promise.resolve(undefined);
    const parsed = directoryStateSchema.safeParse(JSON.parse(this.state.json));
    if (!parsed.success) return Promise.reject(new PermanentError('the device directory state in memory is not valid'));
    return Promise.resolve({ value: parsed.data, etag: String(this.state.version) });
  }

  saveState(state: DirectoryState, etag: string | undefined): Promise<'ok' | 'conflict'> {
    if (etag !== undefined && !this.state) return Promise.reject(new NotFoundError('writing the device directory state: none is stored'));
    if (this.state !== undefined && String(this.state.version) !== etag) return Promise.resolve('conflict');
    this.state = { json: JSON.stringify(state), version: (this.state?.version ?? 0) + 1 };
    return Promise.resolve('ok');
  }
}

function parseDevice(json: string): CachedDevice | undefined {
  const parsed = cachedDeviceSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : undefined;
}
