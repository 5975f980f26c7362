import type { NotifyConfig } from '../../config.js';
import { describeError } from '../../errors.js';
import { notificationId, type NotifyEvent, type NotifyMessage, type SinkName } from '../../notify/events.js';
import type { EmitDeps } from './deps.js';

/** Whether any sink is configured: without one, nothing is ever queued. */
export function notificationsOn(config: NotifyConfig): boolean {
  return config.webhook !== undefined || config.teams !== undefined || config.defenderAlertComments;
}

/**
 * The sinks told of an event: the webhook and Teams of every event, when
 * configured; the Defender alert only of the end of a run an alert started.
 */
export function sinksFor(config: NotifyConfig, event: NotifyEvent, alertTriggered: boolean): SinkName[] {
  const sinks: SinkName[] = [];
  if (config.webhook) sinks.push('webhook');
  if (config.teams) sinks.push('teams');
  if (config.defenderAlertComments && event.kind === 'run-ended' && alertTriggered) sinks.push('defender-alert');
  return sinks;
}

/**
 * Queues one notify message per sink for the event, its id derived from the
 * event and the sink (a second emit of the same event is dropped by duplicate
 * detection). Never throws: a notification that cannot be queued is recorded
 * as owed (queueOwed.ts: the reconciliation sweep queues it later), and the
 * work that emitted it goes on.
 */
export async function emitNotification(deps: EmitDeps, event: NotifyEvent, options: { alertTriggered: boolean }): Promise<void> {
  for (const sink of sinksFor(deps.config.notify, event, options.alertTriggered)) {
    const id = notificationId(sink, event);
    const body: NotifyMessage = { id, sink, event };
    try {
      await deps.bus.send('notify', { messageId: id, body });
    } catch (error) {
      await owe(deps, body, error);
    }
  }
}

/** Records a notification the bus did not take; when even that fails, says so as an error (nothing else can). */
async function owe(deps: EmitDeps, message: NotifyMessage, sendError: unknown): Promise<void> {
  const fields = { sink: message.sink, event: message.event.kind, notificationId: message.id, error: describeError(sendError) };
  try {
    await deps.owedNotifications.owe(message, deps.clock.nowMs());
    deps.logger.log('warn', 'a notification could not be queued; it is owed and the reconciliation sweep queues it', fields);
  } catch (error) {
    deps.logger.log('error', 'a notification could neither be queued nor recorded as owed', { ...fields, owedError: describeError(error) });
  }
}
