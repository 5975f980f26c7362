import type { DeviceAction } from '../../runs/model.js';
import type { Deps } from '../deps.js';

/**
 * Every message id is built from business ids plus a step counter, so a
 * retried send of the same step is a duplicate (Service Bus drops it) and a
 * later step is a new message.
 */
export async function enqueueSubmit(deps: Pick<Deps, 'bus'>, action: DeviceAction, notBeforeMs: number, reason = 'submit'): Promise<void> {
  await deps.bus.send('actions', {
    body: { runId: action.runId, deviceId: action.deviceId },
    messageId: `${action.runId}.${action.deviceId}.submit.${action.submitAttempts}.${notBeforeMs}`,
    notBeforeMs,
    properties: { runId: action.runId, deviceId: action.deviceId, reason },
  });
}
