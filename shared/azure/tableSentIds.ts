import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { Clock } from '../clock.js';
import { storageStatus, translateStorageError } from './storageErrors.js';
import { ensureTable } from './tableWrites.js';

/**
 * Duplicate detection for the storage-queue bus, as Service Bus queues
 * created with `requiresDuplicateDetection` do it: the ids sent to each queue
 * within the window, one Table Storage entity each (RowKey a hash of the id,
 * PartitionKey the storage queue and the hash's first two hex digits), so
 * every worker on the account sees them. Spread over 256 partitions per
 * queue: a look-up reads one small partition (Azurite scans the partition a
 * point read names, so one partition per queue made every send slower as
 * the ids piled up), and in Azure no partition takes every send.
 *
 * The order is check, send, record: a crash between send and record lets a
 * later copy through (a duplicate delivered, which idempotent handlers
 * absorb), never the reverse (an id recorded whose message was never sent,
 * which would drop the retry). Two sends of one id racing each other may both
 * be delivered; Service Bus would drop one. Entities are not pruned: one per
 * message id, a few hundred bytes each.
 */
export class TableSentIds {
  /**
   * @param windowMs on the responder's clock; 0 turns detection off.
   */
  constructor(
    private readonly table: TableClient,
    private readonly clock: Clock,
    readonly windowMs: number,
  ) {}

  ensureTable(): Promise<void> {
    return this.windowMs > 0 ? ensureTable(this.table) : Promise.resolve();
  }

  /** Whether `messageId` was sent to `storageQueue` within the window. */
  async sentWithinWindow(storageQueue: string, messageId: string): Promise<boolean> {
    if (this.windowMs <= 0) return false;
    let entity: { sentMs?: unknown };
    try {
      const key = keyOf(storageQueue, messageId);
      entity = await this.table.getEntity<{ sentMs?: unknown }>(key.partitionKey, key.rowKey);
    } catch (error) {
      if (storageStatus(error) === 404) return false;
      throw translateStorageError(error, `reading sent message id ${messageId}`);
    }
    return typeof entity.sentMs === 'number' && this.clock.nowMs() - entity.sentMs < this.windowMs;
  }

  /** Records that `messageId` was sent now (the window starts again from now). */
  async recordSent(storageQueue: string, messageId: string): Promise<void> {
    if (this.windowMs <= 0) return;
    const entity = { ...keyOf(storageQueue, messageId), messageId, sentMs: this.clock.nowMs() };
    try {
      await this.table.upsertEntity(entity, 'Replace');
    } catch (error) {
      throw translateStorageError(error, `recording sent message id ${messageId}`);
    }
  }
}

/** RowKeys refuse `/ \ # ?` and control characters; message ids may hold any of them: the key is a hash. */
export function keyOf(storageQueue: string, messageId: string): { partitionKey: string; rowKey: string } {
  const rowKey = createHash('sha256').update(messageId).digest('hex');
  return { partitionKey: `${storageQueue}~${rowKey.slice(0, 2)}`, rowKey };
}
