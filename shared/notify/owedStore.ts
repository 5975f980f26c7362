import { z } from 'zod';
import { notifyMessageSchema, type NotifyMessage } from './events.js';

/**
 * Notifications owed: each one that could not be queued on the notify queue
 * (the bus down for a moment, throttled), kept until the reconciliation sweep
 * queues it. Written only when a send fails, so a notification queued at the
 * first try costs no storage write. Keyed by the notification id: a second
 * record of the same notification keeps the first.
 */
export const owedNotificationSchema = z.object({
  message: notifyMessageSchema,
  /** When the first send failed (responder ms). */
  owedSinceMs: z.number(),
});
export type OwedNotification = z.infer<typeof owedNotificationSchema>;

/**
 * Adapters: TableOwedNotificationStore (Azure); the in-memory fake in
 * test/helpers. Both pass test/contracts/owedNotificationStore.contract.ts.
 */
export interface OwedNotificationStore {
  /** Records the notification as owed; 'exists' when it already is (the first record stands). */
  owe(message: NotifyMessage, owedSinceMs: number): Promise<'recorded' | 'exists'>;
  /** At most `limit` owed notifications, in no promised order. A stored record that fails the schema is refused (PermanentError). */
  list(limit: number): Promise<OwedNotification[]>;
  /** Forgets the notification once it is queued; forgetting one not recorded is no error. */
  settle(notificationId: string): Promise<void>;
  /**
   * How many notifications are owed, reading at most `max` records (never the
   * whole table): GET /api/status and the metrics ask on every look.
   */
  tally(max: number): Promise<OwedTally>;
}

/** The owed notifications counted, at most the `max` asked for. */
export interface OwedTally {
  /** Owed notifications counted: all of them (`exact`), or `max` when the count stopped there (`atLeast`). */
  count: number;
  countIs: 'exact' | 'atLeast';
  /** The earliest `owedSinceMs` among those counted (absent when none is owed); at `atLeast`, there may be older ones. */
  oldestOwedSinceMs?: number;
}

/**
 * The tally of the owed notifications read, each by its `owedSinceMs`
 * (undefined: a record that does not say), `max` at most: exact below it, at
 * least at it. Pure.
 */
export function tallyOf(owedSinceMs: readonly (number | undefined)[], max: number): OwedTally {
  const counted = owedSinceMs.slice(0, max);
  const tally: OwedTally = { count: counted.length, countIs: counted.length < max ? 'exact' : 'atLeast' };
  const times = counted.filter((t) => t !== undefined);
  return times.length === 0 ? tally : { ...tally, oldestOwedSinceMs: times.reduce((a, b) => Math.min(a, b)) };
}
