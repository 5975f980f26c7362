import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { PermanentError } from '../errors.js';
import { notifyMessageSchema, type NotifyMessage } from '../notify/events.js';
import { owedNotificationSchema, tallyOf, type OwedNotification, type OwedNotificationStore, type OwedTally } from '../notify/owedStore.js';
import { storageStatus, translateStorageError } from './storageErrors.js';
import { ensureTable } from './tableWrites.js';

const PARTITION = 'owed';
/** A Table query answers at most this many entities a page. */
const MAX_PAGE = 1_000;

/**
 * Owed notifications as Table Storage entities, one per notification
 * (PartitionKey `owed`, RowKey a hash of the notification id: ids may hold
 * characters a RowKey refuses). Created only if absent, so the first record
 * of a notification stands; deleted once the sweep has queued it. The table
 * is empty while the bus takes every notification. `owedSinceMs` is also a
 * column of its own, so a tally reads that one number per entity, not the
 * message.
 */
export class TableOwedNotificationStore implements OwedNotificationStore {
  constructor(private readonly table: TableClient) {}

  ensureTable(): Promise<void> {
    return ensureTable(this.table);
  }

  async owe(message: NotifyMessage, owedSinceMs: number): Promise<'recorded' | 'exists'> {
    const record: OwedNotification = { message: notifyMessageSchema.parse(message), owedSinceMs };
    try {
      await this.table.createEntity({
        partitionKey: PARTITION,
        rowKey: rowKeyOf(message.id),
        record: JSON.stringify(record),
        owedSinceMs,
      });
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

  /** Reads the `owedSinceMs` column alone, page by page, until `max` are counted. A record without the column counts, with no time. */
  async tally(max: number): Promise<OwedTally> {
    const pages = this.table
      .listEntities<{ owedSinceMs?: unknown }>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'`, select: ['owedSinceMs'] } })
      .byPage({ maxPageSize: Math.min(max, MAX_PAGE) });
    const times: (number | undefined)[] = [];
    try {
      for await (const page of pages) {
        for (const { owedSinceMs } of page) times.push(typeof owedSinceMs === 'number' ? owedSinceMs : undefined);
        if (times.length >= max) break;
      }
    } catch (error) {
      throw translateStorageError(error, 'counting owed notifications');
    }
    return tallyOf(times, max);
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
