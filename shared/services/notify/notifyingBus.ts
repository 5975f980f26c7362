import type { DeadLetterReason, MessageBus, QueueName } from '../../bus/port.js';
import { redactText } from '../../redaction.js';
import type { EmitDeps } from './deps.js';
import { emitNotification } from './emit.js';

/**
 * The bus as the services use it, telling the notify queue of every message
 * they dead-letter (a notification's own dead letter excepted: it would
 * notify of itself). Messages the host dead-letters after `maxDeliveryCount`
 * (Service Bus itself, the local consumer) do not pass here. `deps.bus` is
 * the bus underneath, which the notification is queued on.
 */
export function notifyingBus(inner: MessageBus, deps: EmitDeps): MessageBus {
  return {
    send: (queue, message) => inner.send(queue, message),
    deadLetter: async (queue: QueueName, body: unknown, reason: DeadLetterReason) => {
      await inner.deadLetter(queue, body, reason);
      if (queue === 'notify') return;
      const originalMessageId =
        reason.originalMessageId === undefined
          ? undefined
          : [reason.originalMessageId, reason.part].filter((p) => p !== undefined).join('.');
      const event = {
        kind: 'dead-lettered' as const,
        queue,
        reason: reason.reason.slice(0, 200),
        description: redactText(reason.description).slice(0, 2_000),
        ...(originalMessageId === undefined ? {} : { originalMessageId: originalMessageId.slice(0, 200) }),
        atMs: deps.clock.nowMs(),
      };
      await emitNotification(deps, event, { alertTriggered: false });
    },
  };
}
