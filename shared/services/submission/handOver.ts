import { arrivalForSlot } from '../../pacing/sendSlots.js';
import type { Deps } from '../deps.js';
import { enqueueWake } from './queueing.js';

/**
 * The run is done with the device: the pacer frees it and, in the same
 * write, hands it to the first run waiting for it; that run's message is sent
 * here, due for its slot. A crash between the two loses nothing: the waiter's
 * fallback message comes and finds the slot held for it.
 */
export async function releaseDevice(
  deps: Pick<Deps, 'pacer' | 'bus' | 'clock' | 'logger'>,
  deviceId: string,
  runId: string,
): Promise<void> {
  const handed = await deps.pacer.release(deviceId, runId);
  if (!handed) return;
  const dueMs = arrivalForSlot(handed.slotMs, deps.clock.nowMs(), deps.pacer.limits);
  await enqueueWake(deps, handed, dueMs);
  deps.logger.log('info', 'device handed to the next run waiting for it', {
    deviceId,
    runId: handed.runId,
    releasedBy: runId,
    waitMs: dueMs - deps.clock.nowMs(),
  });
}
