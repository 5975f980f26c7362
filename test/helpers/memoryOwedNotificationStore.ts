import { PermanentError } from '../../shared/errors.js';
import { notifyMessageSchema, type NotifyMessage } from '../../shared/notify/events.js';
import {
  owedNotificationSchema,
  tallyOf,
  type OwedNotification,
  type OwedNotificationStore,
  type OwedTally,
} from '../../shared/notify/owedStore.js';

/** Owed notifications in one process, validated with the adapter's schema; `failWith` makes every call fail (storage down). */
export class MemoryOwedNotificationStore implements OwedNotificationStore {
  private readonly records = new Map<string, string>();
  failWith: Error | undefined;

  owe(message: NotifyMessage, owedSinceMs: number): Promise<'recorded' | 'exists'> {
    if (this.failWith) return Promise.reject(this.failWith);
    const parsed = notifyMessageSchema.safeParse(message);
    if (!parsed.success) return Promise.reject(parsed.error);
    const record: OwedNotification = { message: parsed.data, owedSinceMs };
    if (this.records.has(message.id)) return Promise.resolve('exists');
    this.records.set(message.id, JSON.stringify(record));
    return Promise.resolve('recorded');
  }

  list(limit: number): Promise<OwedNotification[]> {
    if (this.failWith) return Promise.reject(this.failWith);
    const found = [...this.records].slice(0, limit).map(([id, json]) => {
      const parsed = owedNotificationSchema.safeParse(JSON.parse(json));
      if (!parsed.success) throw new PermanentError(`owed notification ${id} in memory is not valid`);
      return parsed.data;
    });
    return Promise.resolve(found);
  }

  settle(notificationId: string): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.records.delete(notificationId);
    return Promise.resolve();
  }

  tally(max: number): Promise<OwedTally> {
    if (this.failWith) return Promise.reject(this.failWith);
    return this.list(max).then((owed) =>
      tallyOf(
        owed.map((o) => o.owedSinceMs),
        max,
      ),
    );
  }

  get size(): number {
    return this.records.size;
  }
}
