import type { DeviceAction } from '../../runs/model.js';
import type { Deps } from '../deps.js';

/**
 * Puts one command's result on the collect queue. The message id is built
 * from business ids plus the attempt, so a retried send of the same attempt
 * is a duplicate (Service Bus drops it) and a later attempt is a new message.
 */
export async function enqueueCollect(
  deps: Pick<Deps, 'bus'>,
  action: Pick<DeviceAction, 'runId' | 'deviceId'>,
  machineActionId: string,
  commandIndex: number,
  retry?: { attempt: number; notBeforeMs: number; redrive?: number },
): Promise<void> {
  const attempt = retry?.attempt ?? 0;
  // A re-drive by the reconciliation sweep starts the attempts over: its own id, so it is not taken for the first send.
  const redrive = retry?.redrive === undefined ? '' : `.redrive${retry.redrive}`;
  await deps.bus.send('collect', {
    body: { runId: action.runId, deviceId: action.deviceId, machineActionId, commandIndex, attempt },
    messageId: `${action.runId}.${action.deviceId}.collect.${commandIndex}.${attempt}${redrive}`,
    notBeforeMs: retry?.notBeforeMs,
    properties: { runId: action.runId, deviceId: action.deviceId, machineActionId, commandIndex, attempt },
  });
}
