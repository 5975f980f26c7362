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
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await runs.getAction(runId, deviceId);
    if (!current) return undefined;
    const next = change(current.value);
    if (!next) return current.value;
    if ((await runs.replaceAction(next, current.etag)) === 'ok') return next;
  }
  throw new Error(`device action ${runId}/${deviceId} is contended: 10 conflicting updates in a row`);
}
