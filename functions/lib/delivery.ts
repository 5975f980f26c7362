import type { InvocationContext } from '@azure/functions';
import type { DeliveryInfo, MessageProperties } from '../../shared/bus/port.js';

/** Service Bus trigger metadata (camelCased by the worker) as the domain's DeliveryInfo. */
export function deliveryOf(context: InvocationContext): DeliveryInfo {
  const meta = context.triggerMetadata ?? {};
  const enqueued = typeof meta.enqueuedTimeUtc === 'string' ? Date.parse(meta.enqueuedTimeUtc) : NaN;
  return {
    messageId: typeof meta.messageId === 'string' ? meta.messageId : context.invocationId,
    deliveryCount: typeof meta.deliveryCount === 'number' ? meta.deliveryCount : 1,
    enqueuedTimeMs: Number.isFinite(enqueued) ? enqueued : undefined,
    properties: isProperties(meta.applicationProperties) ? meta.applicationProperties : undefined,
  };
}

function isProperties(value: unknown): value is MessageProperties {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
