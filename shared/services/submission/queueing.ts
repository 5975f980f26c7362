import type { HandOver } from '../../pacing/handOver.js';
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

/**
 * Wakes the run a released device was handed to (pacing/handOver.ts): its
 * message, due for its slot. The id names the hand-over (run, device, slot),
 * so a retried send is dropped; the run's fallback message, still scheduled,
 * finds the action already sent and does nothing.
 */
export async function enqueueWake(deps: Pick<Deps, 'bus'>, handed: HandOver, notBeforeMs: number): Promise<void> {
  await deps.bus.send('actions', {
    body: { runId: handed.runId, deviceId: handed.deviceId },
    messageId: `${handed.runId}.${handed.deviceId}.wake.${handed.slotMs}`,
    notBeforeMs,
    properties: { runId: handed.runId, deviceId: handed.deviceId, reason: 'device-free' },
  });
}
