import { casRetry, conflict, settled } from '../concurrency/casRetry.js';
import type { DeviceAction } from './model.js';
import type { RunStore } from './store.js';

/**
 * Read-modify-write of one device action with compare-and-swap, retried on
 * conflict. `change` returns the new record, or undefined to leave it as is.
 */
export async function updateAction(
  runs: RunStore,
  runId: string,
  deviceId: string,
  change: (current: DeviceAction) => DeviceAction | undefined,
): Promise<DeviceAction | undefined> {
  return casRetry(`device action ${runId}/${deviceId}`, async () => {
    const current = await runs.getAction(runId, deviceId);
    if (!current) return settled(undefined);
    const next = change(current.value);
    if (!next) return settled(current.value);
    return (await runs.replaceAction(next, current.etag)) === 'ok' ? settled(next) : conflict;
  });
}
