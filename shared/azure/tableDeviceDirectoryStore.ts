import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { z } from 'zod';
import {
  cachedDeviceSchema,
  directoryStateSchema,
  type CachedDevice,
  type DeviceDirectoryStore,
  type DirectoryState,
} from '../devices/directoryStore.js';
import { PermanentError } from '../errors.js';
import type { Versioned } from '../runs/model.js';
import { storageStatus, translateStorageError } from './storageErrors.js';
import { ensureTable, writeIfUnchanged } from './tableWrites.js';

const DEVICES = 'device';
const STATE_PARTITION = 'state';
const STATE_ROW = 'directory';
/** A transaction holds at most 100 entities of one partition. */
const MAX_BATCH_ENTITIES = 100;
/** Point reads in flight at once for getMany. */
const READ_CONCURRENCY = 16;

/**
 * The device directory in Table Storage: one entity per device (PartitionKey
 * `device`, RowKey = lower-case device id, the record as JSON in `device`)
 * and one for the directory's state (`state`/`directory`, JSON in `state`,
 * written only if its ETag still matches). Devices are written in
 * transactions of 100; removals one by one (a removal is rare: a device
 * Defender no longer lists).
 */
export class TableDeviceDirectoryStore implements DeviceDirectoryStore {
  constructor(private readonly table: TableClient) {}

  ensureTable(): Promise<void> {
    return ensureTable(this.table);
  }

  async getMany(ids: readonly string[]): Promise<Map<string, CachedDevice>> {
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
    const found = new Map<string, CachedDevice>();
    for (let i = 0; i < wanted.length; i += READ_CONCURRENCY) {
      const devices = await Promise.all(wanted.slice(i, i + READ_CONCURRENCY).map((id) => this.getOne(id)));
      for (const device of devices) if (device) found.set(device.id, device);
    }
    return found;
  }

  async listAll(): Promise<CachedDevice[]> {
    const devices: CachedDevice[] = [];
    try {
      const rows = this.table.listEntities<{ device?: unknown }>({ queryOptions: { filter: odata`PartitionKey eq ${DEVICES}` } });
      for await (const row of rows) devices.push(this.parse(cachedDeviceSchema, row.device, `device ${row.rowKey ?? '?'}`));
    } catch (error) {
      throw translateStorageError(error, `listing devices of table ${this.table.tableName}`);
    }
    return devices;
  }

  async write(devices: readonly CachedDevice[], removeIds: readonly string[]): Promise<void> {
    const entities = devices.map((d) => {
      const checked = cachedDeviceSchema.safeParse(d);
      if (!checked.success) throw new PermanentError(`device ${String(d.id)} is not a valid directory record`);
      return { partitionKey: DEVICES, rowKey: checked.data.id, device: JSON.stringify(checked.data) };
    });
    for (let i = 0; i < entities.length; i += MAX_BATCH_ENTITIES) {
      const actions: TransactionAction[] = entities.slice(i, i + MAX_BATCH_ENTITIES).map((e) => ['upsert', e, 'Replace']);
      try {
        await this.table.submitTransaction(actions);
      } catch (error) {
        throw translateStorageError(error, `writing devices to table ${this.table.tableName}`);
      }
    }
    for (const id of removeIds) {
      try {
        await this.table.deleteEntity(DEVICES, id.toLowerCase());
      } catch (error) {
        if (storageStatus(error) !== 404) throw translateStorageError(error, `removing device ${id}`);
      }
    }
  }

  async loadState(): Promise<Versioned<DirectoryState> | undefined> {
    let entity: { state?: unknown; etag: string };
    try {
      entity = await this.table.getEntity<{ state?: unknown }>(STATE_PARTITION, STATE_ROW);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw translateStorageError(error, 'reading the device directory state');
    }
    return { value: this.parse(directoryStateSchema, entity.state, 'the device directory state'), etag: entity.etag };
  }

  saveState(state: DirectoryState, etag: string | undefined): Promise<'ok' | 'conflict'> {
    const entity = { partitionKey: STATE_PARTITION, rowKey: STATE_ROW, state: JSON.stringify(state) };
    return writeIfUnchanged(this.table, entity, etag, 'writing the device directory state');
  }

  private async getOne(id: string): Promise<CachedDevice | undefined> {
    try {
      const row = await this.table.getEntity<{ device?: unknown }>(DEVICES, id);
      return this.parse(cachedDeviceSchema, row.device, `device ${id}`);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw translateStorageError(error, `reading device ${id}`);
    }
  }

  /** JSON text checked against its schema; anything else stored there is refused. */
  private parse<S extends z.ZodType>(schema: S, text: unknown, what: string): z.infer<S> {
    let value: unknown;
    try {
      value = typeof text === 'string' ? JSON.parse(text) : undefined;
    } catch {
      value = undefined;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new PermanentError(`${what} in table ${this.table.tableName} is not valid`);
    return parsed.data;
  }
}
