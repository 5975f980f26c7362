import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { PermanentError } from '../errors.js';
import { notifyMessageSchema, type NotifyMessage } from '../notify/events.js';
import { owedNotificationSchema, type OwedNotification, type OwedNotificationStore } from '../notify/owedStore.js';
import { storageStatus, translateStorageError } from './storageErrors.js';
import { ensureTable } from './tableWrites.js';

const PARTITION = 'owed';

/**
 * Owed notifications as Table Storage entities, one per notification
 * (PartitionKey `owed`, RowKey a hash of the notification id: ids may hold
 * characters a RowKey refuses). Created only if absent, so the first record
 * of a notification stands; deleted once the sweep has queued it. The table
 * is empty while the bus takes every notification.
 */
export class TableOwedNotificationStore implements OwedNotificationStore {
  constructor(private readonly table: TableClient) {}

  ensureTable(): Promise<void> {
    return ensureTable(this.table);
  }

  async owe(message: NotifyMessage, owedSinceMs: number): Promise<'recorded' | 'exists'> {
    const record: OwedNotification = { message: notifyMessageSchema.parse(message), owedSinceMs };
    try {
      await this.table.createEntity({ partitionKey: PARTITION, rowKey: rowKeyOf(message.id), record: JSON.stringify(record) });
      return 'recorded';
    } catch (error) {
      if (storageStatus(error) === 409) return 'exists';
      throw translateStorageError(error, `recording owed notification ${message.id}`);
    }
  }

  async list(limit: number): Promise<OwedNotification[]> {
    const pages = this.table
      .listEntities<{ record?: unknown }>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })
      .byPage({ maxPageSize: limit });
    const page = await pages.next().catch((error: unknown) => {
      throw translateStorageError(error, 'listing owed notifications');
    });
    if (page.done) return [];
    return page.value.slice(0, limit).map((entity) => {
      const parsed = typeof entity.record === 'string' ? owedNotificationSchema.safeParse(JSON.parse(entity.record)) : undefined;
      if (!parsed?.success)
        throw new PermanentError(`owed notification ${String(entity.rowKey)} in table ${this.table.tableName} is not valid`);
      return parsed.data;
    });
  }

  async settle(notificationId: string): Promise<void> {
    try {
      await this.table.deleteEntity(PARTITION, rowKeyOf(notificationId));
    } catch (error) {
      if (storageStatus(error) === 404) return;
      throw translateStorageError(error, `forgetting owed notification ${notificationId}`);
    }
  }
}

function rowKeyOf(notificationId: string): string {
  return createHash('sha256').update(notificationId).digest('hex');
}
