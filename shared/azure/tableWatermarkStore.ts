import type { TableClient } from '@azure/data-tables';
import { MAX_POLL_CURSOR_CHARS, pollCursorSchema, type PollCursor, type WatermarkStore } from '../alerts/watermarkStore.js';
import { PermanentError } from '../errors.js';
import type { Versioned } from '../runs/model.js';
import { storageStatus, translateStorageError } from './storageErrors.js';
import { ensureTable, writeIfUnchanged } from './tableWrites.js';

const PARTITION = 'watermark';

/**
 * The alert poller's cursor as one Table Storage entity per name
 * (PartitionKey `watermark`, RowKey = name), written only if its ETag still
 * matches (or, for the first write, only if it does not exist yet).
 */
export class TableWatermarkStore implements WatermarkStore {
  constructor(private readonly table: TableClient) {}

  ensureTable(): Promise<void> {
    return ensureTable(this.table);
  }

  async load(name: string): Promise<Versioned<PollCursor> | undefined> {
    let entity: { cursor?: unknown; etag: string };
    try {
      entity = await this.table.getEntity<{ cursor?: unknown }>(PARTITION, name);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw translateStorageError(error, `reading watermark ${name}`);
    }
    const parsed = typeof entity.cursor === 'string' ? pollCursorSchema.safeParse(JSON.parse(entity.cursor)) : undefined;
    if (!parsed?.success) throw new PermanentError(`watermark ${name} in table ${this.table.tableName} is not valid`);
    return { value: parsed.data, etag: entity.etag };
  }

  async save(name: string, cursor: PollCursor, etag: string | undefined): Promise<'ok' | 'conflict'> {
    const text = JSON.stringify(cursor);
    if (text.length > MAX_POLL_CURSOR_CHARS)
      throw new PermanentError(`watermark ${name} grew to ${text.length} characters, over ${MAX_POLL_CURSOR_CHARS}`);
    return writeIfUnchanged(this.table, { partitionKey: PARTITION, rowKey: name, cursor: text }, etag, `writing watermark ${name}`);
  }
}
