import { casRetry, conflict, settled } from '../../concurrency/casRetry.js';
import { ContendedError } from '../../errors.js';
import type { DirectoryDeps } from './deps.js';

/**
 * Takes up to `wanted` miss look-ups from the tenant-wide allowance the last
 * refresh granted (before the first refresh, the configured allowance once)
 * and says how many it got. Never throws for contention: a directory too
 * contended just now grants nothing, and the caller waits as for a spent
 * allowance.
 */
export async function takeMissLookups(deps: Pick<DirectoryDeps, 'config' | 'devices'>, wanted: number): Promise<number> {
  if (wanted <= 0 || deps.config.deviceDirectory.missLookups === 0) return 0;
  try {
    return await casRetry('the device directory state', async () => {
      const stored = await deps.devices.loadState();
      const state = stored?.value ?? { missLookupsLeft: deps.config.deviceDirectory.missLookups };
      const granted = Math.min(wanted, state.missLookupsLeft);
      if (granted === 0) return settled(0);
      const saved = await deps.devices.saveState({ ...state, missLookupsLeft: state.missLookupsLeft - granted }, stored?.etag);
      return saved === 'ok' ? settled(granted) : conflict;
    });
  } catch (error) {
    if (error instanceof ContendedError) return 0;
    throw error;
  }
}
