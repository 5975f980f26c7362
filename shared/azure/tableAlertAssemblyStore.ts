import type { TableClient } from '@azure/data-tables';
import { alertAssemblySchema, MAX_ASSEMBLY_CHARS, type AlertAssembly } from '../alerts/assembly.js';
import type { AlertAssemblyStore } from '../alerts/assemblyStore.js';
import { PermanentError } from '../errors.js';
import type { Versioned } from '../runs/model.js';
import { textFrom, textProps, type TextLayout } from './entityText.js';
import { storageStatus, translateStorageError } from './storageErrors.js';
import { encodeKeyPart } from './tableKeys.js';
import { ensureTable, writeIfUnchanged } from './tableWrites.js';

const ROW = 'assembly';
const LAYOUT: TextLayout = { countProp: 'parts', partProp: (i) => `p${i}` };

/**
 * Streamed alerts being assembled, one Table Storage entity per alert
 * (PartitionKey = the encoded AlertId, RowKey `assembly`, the record as JSON
 * split over numbered properties), written only if its ETag still matches
 * (or, for the first write, only if it does not exist yet).
 */
export class TableAlertAssemblyStore implements AlertAssemblyStore {
  constructor(private readonly table: TableClient) {}

  ensureTable(): Promise<void> {
    return ensureTable(this.table);
  }

  async load(alertId: string): Promise<Versioned<AlertAssembly> | undefined> {
    let entity: Record<string, unknown> & { etag: string };
    try {
      entity = await this.table.getEntity<Record<string, unknown>>(encodeKeyPart(alertId), ROW);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw translateStorageError(error, `reading the assembly of alert ${alertId}`);
    }
    const where = `assembly of alert ${alertId} in table ${this.table.tableName}`;
    const parsed = alertAssemblySchema.safeParse(parseJson(textFrom(entity, LAYOUT, where)));
    if (!parsed.success) throw new PermanentError(`${where} is not valid`);
    return { value: parsed.data, etag: entity.etag };
  }

  async save(assembly: AlertAssembly, etag: string | undefined): Promise<'ok' | 'conflict'> {
    const text = JSON.stringify(assembly);
    if (text.length > MAX_ASSEMBLY_CHARS)
      throw new PermanentError(`the assembly of alert ${assembly.alertId} grew to ${text.length} characters, over ${MAX_ASSEMBLY_CHARS}`);
    const entity = { partitionKey: encodeKeyPart(assembly.alertId), rowKey: ROW, ...textProps(text, LAYOUT, 'an alert assembly') };
    return await writeIfUnchanged(this.table, entity, etag, `writing the assembly of alert ${assembly.alertId}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
