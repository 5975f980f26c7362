import type { DeliveryInfo } from '../../bus/port.js';
import { parseOrDeadLetter } from '../../bus/parseOrDeadLetter.js';
import { NotFoundError } from '../../errors.js';
import { alertComment } from '../../notify/alertComment.js';
import { notifyMessageSchema, type SinkName } from '../../notify/events.js';
import { notificationOf, type Notification } from '../../notify/notification.js';
import { postJson } from '../../notify/postJson.js';
import { teamsMessage } from '../../notify/teamsCard.js';
import { webhookRequest } from '../../notify/webhookRequest.js';
import type { NotifyDeps } from './deps.js';

export type NotifyOutcome =
  | { kind: 'delivered'; sink: SinkName; notificationId: string }
  /** The sink was turned off (or does not take this notification) since it was queued: nothing to send. */
  | { kind: 'not-sent'; sink: SinkName; notificationId: string }
  | { kind: 'malformed' };

/**
 * The notify queue: builds the sink's payload from the run as it is now and
 * sends it. What goes wrong is the delivery contract's: a sink's 5xx, time-out
 * or broken connection is transient (retried with backoff, then dead-lettered
 * as TransientRetriesExhausted), a 429 or a spent status budget throttled, a
 * 4xx refused for good (dead-lettered at once, named by the error), a run no
 * longer found a NotFoundError.
 */
export async function handleNotifyMessage(deps: NotifyDeps, body: unknown, delivery: DeliveryInfo): Promise<NotifyOutcome> {
  const parsed = await parseOrDeadLetter(deps.bus, 'notify', notifyMessageSchema, body, delivery);
  if (!parsed.ok) return { kind: 'malformed' };
  const { id, sink, event } = parsed.value;
  const config = deps.config.notify;
  const view = event.kind === 'dead-lettered' ? undefined : await deps.runs.getRun(event.runId);
  const notification = notificationOf(id, event, view, deps.clock.nowMs(), config.fieldMaxChars);
  if (!notification) throw new NotFoundError(`notification ${id}: the run or device it is about is not recorded`);
  const sent = await deliverTo(deps, sink, notification);
  const log = deps.logger.child({
    sink,
    notificationId: id,
    event: event.kind,
    ...(event.kind === 'dead-lettered' ? {} : { runId: event.runId }),
  });
  log.log(sent ? 'info' : 'warn', sent ? 'notification delivered' : 'notification not sent: its sink is off or does not take it');
  return { kind: sent ? 'delivered' : 'not-sent', sink, notificationId: id };
}

/** Sends to one sink; false when the sink is off or the notification is not for it. */
async function deliverTo(deps: NotifyDeps, sink: SinkName, notification: Notification): Promise<boolean> {
  const config = deps.config.notify;
  const post = {
    timeoutMs: config.requestTimeoutMs,
    defaultRetryAfterMs: deps.config.defender.defaultRetryAfterMs,
    nowMs: deps.clock.nowMs(),
  };
  switch (sink) {
    case 'webhook': {
      if (!config.webhook) return false;
      const request = webhookRequest(notification, config.webhook.secret, deps.clock.nowMs());
      await postJson(config.webhook.url, request.body, request.headers, { ...post, sink: 'the webhook' });
      return true;
    }
    case 'teams': {
      if (!config.teams) return false;
      const body = JSON.stringify(teamsMessage(notification, config.maxDevices));
      await postJson(config.teams.workflowUrl, body, {}, { ...post, sink: 'the Teams workflow' });
      return true;
    }
    case 'defender-alert': {
      if (!config.defenderAlertComments || notification.kind !== 'run-ended' || notification.run.trigger.kind !== 'alert') return false;
      const comment = alertComment(notification, { maxChars: config.alertCommentMaxChars, maxDevices: config.maxDevices });
      if (comment === undefined) return false;
      // Paid from the status budget (BudgetedDefenderApi): a spent budget or a 429 is a ThrottledError, rescheduled.
      await deps.defender.commentOnAlert(notification.run.trigger.alertId, comment);
      return true;
    }
  }
}
