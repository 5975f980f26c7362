import type { Deps } from '../deps.js';
import { describeError } from '../../errors.js';

/** What queueing owed notifications takes: the store that keeps them, the bus they go to. */
export type QueueOwedDeps = Pick<Deps, 'config' | 'clock' | 'logger' | 'bus' | 'owedNotifications'>;

export interface OwedOutcome {
  /** Owed notifications queued (and forgotten) by this firing. */
  notificationsQueued: number;
  /** Owed notifications read by this firing and left for the next (the notify queue still refused them). */
  notificationsStillOwed: number;
}

/**
 * One firing's share of the owed notifications (reconcile timer): reads at
 * most NOTIFY_OWED_PER_FIRING of them and queues each under its own
 * notification id, so a first send that did go out after all (its answer
 * lost) is dropped by duplicate detection within its window; the webhook's
 * receiver deduplicates on `x-responder-delivery` past it. Forgotten only once
 * queued. The first send that fails stops the firing: the bus is still down,
 * the rest wait for the next.
 */
export async function queueOwedNotifications(deps: QueueOwedDeps): Promise<OwedOutcome> {
  const owed = await deps.owedNotifications.list(deps.config.notify.owedPerFiring);
  const outcome: OwedOutcome = { notificationsQueued: 0, notificationsStillOwed: 0 };
  for (const [index, { message, owedSinceMs }] of owed.entries()) {
    const log = deps.logger.child({ notificationId: message.id, sink: message.sink, event: message.event.kind });
    try {
      await deps.bus.send('notify', { messageId: message.id, body: message });
    } catch (error) {
      outcome.notificationsStillOwed = owed.length - index;
      log.log('warn', 'owed notifications stay owed: the notify queue still refuses them', {
        stillOwed: outcome.notificationsStillOwed,
        error: describeError(error),
      });
      break;
    }
    await deps.owedNotifications.settle(message.id);
    outcome.notificationsQueued += 1;
    log.log('info', 'owed notification queued', { owedForMs: deps.clock.nowMs() - owedSinceMs });
  }
  return outcome;
}
