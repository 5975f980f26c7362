import type { TableClient, TableEntity } from '@azure/data-tables';
import { storageStatus, translateStorageError } from './storageErrors.js';

/** Creates the table unless it exists. */
export async function ensureTable(table: TableClient): Promise<void> {
  try {
    await table.createTable();
  } catch (error) {
    if (storageStatus(error) !== 409) throw translateStorageError(error, `creating table ${table.tableName}`);
  }
}

/**
 * Writes `entity` if the stored one still carries `etag`, or, with no etag,
 * only if none exists yet; 'conflict' when another writer got there first.
 * An etag quoted for an entity that is not there is a NotFoundError.
 */
export async function writeIfUnchanged(
  table: TableClient,
  entity: TableEntity<Record<string, unknown>>,
  etag: string | undefined,
  what: string,
): Promise<'ok' | 'conflict'> {
  try {
    if (etag === undefined) await table.createEntity(entity);
    else await table.updateEntity(entity, 'Replace', { etag });
    return 'ok';
  } catch (error) {
    const status = storageStatus(error);
    if (status === 409 || status === 412) return 'conflict';
    throw translateStorageError(error, what);
  }
}
