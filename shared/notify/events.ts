import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DeviceAction } from '../runs/model.js';
import { EXPIRED_NOTE } from '../runs/transitions.js';

/**
 * What the responder tells its notification sinks about, and the notify
 * queue's message: one event for one sink, so each sink's delivery is retried
 * (and dead-lettered) on its own. A message carries ids only; the sink's
 * payload is built from the run record when the message is delivered.
 */

export const SINK_NAMES = ['webhook', 'teams', 'defender-alert'] as const;
export const sinkNameSchema = z.enum(SINK_NAMES);
export type SinkName = z.infer<typeof sinkNameSchema>;

/** How a device action went wrong: Defender failed or timed it out, it expired offline, or Defender refused it. */
export const ACTION_FAILURES = ['failed', 'expired', 'rejected'] as const;
export type ActionFailure = (typeof ACTION_FAILURES)[number];

export const notifyEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run-ended'), runId: z.string().min(1).max(64) }),
  z.object({
    kind: z.literal('action-failed'),
    runId: z.string().min(1).max(64),
    deviceId: z.string().min(1).max(64),
    failure: z.enum(ACTION_FAILURES),
  }),
  z.object({
    kind: z.literal('dead-lettered'),
    queue: z.string().min(1).max(100),
    reason: z.string().max(200),
    description: z.string().max(2_000),
    originalMessageId: z.string().max(200).optional(),
    atMs: z.number(),
  }),
]);
export type NotifyEvent = z.infer<typeof notifyEventSchema>;

export const notifyMessageSchema = z.object({
  /** The notification's id, the same on every retry: receivers deduplicate on it (X-Responder-Delivery). */
  id: z.string().min(1).max(128),
  sink: sinkNameSchema,
  event: notifyEventSchema,
});
export type NotifyMessage = z.infer<typeof notifyMessageSchema>;

/**
 * The notification's id and message id: from the event's business ids and the
 * sink, so the same event emitted twice (a replayed or re-handled completion,
 * two workers seeing the run end) is one message within duplicate detection.
 */
export function notificationId(sink: SinkName, event: NotifyEvent): string {
  switch (event.kind) {
    case 'run-ended':
      return `notify.${sink}.run-ended.${event.runId}`;
    case 'action-failed':
      return `notify.${sink}.action-failed.${event.runId}.${event.deviceId}`;
    case 'dead-lettered': {
      const key = `${event.queue}|${event.originalMessageId ?? `${event.reason}|${event.description}`}`;
      return `notify.${sink}.dead-lettered.${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
    }
  }
}

/** How the action failed, or undefined when it did not (still open, succeeded, cancelled by an operator). */
export function actionFailure(action: Pick<DeviceAction, 'state' | 'actionStatus' | 'lastError'>): ActionFailure | undefined {
  if (action.state === 'rejected') return 'rejected';
  if (action.state !== 'ended') return undefined;
  if (action.lastError === EXPIRED_NOTE) return 'expired';
  return action.actionStatus === 'Failed' || action.actionStatus === 'TimeOut' ? 'failed' : undefined;
}
