import { casRetry, conflict, settled } from '../../concurrency/casRetry.js';
import { cachedDeviceOf, type CachedDevice } from '../../devices/directoryStore.js';
import { ThrottledError } from '../../errors.js';
import type { DirectoryDeps } from './deps.js';

export type RefreshOutcome =
  | { kind: 'refreshed'; devices: number; written: number; removed: number; skipped: number }
  /** The status budget refused a page of the listing: nothing was written; the next firing tries again. */
  | { kind: 'deferred'; waitMs: number };

/**
 * The refresh timer's work: list every machine (`GET /machines`, following
 * `@odata.nextLink`; the client pays each page from the status budget and
 * reads at most 100 pages), write the devices whose facts changed, remove
 * those Defender no longer lists, then record the refresh time and grant
 * intake a fresh miss allowance. Bounded per firing: at most the client's
 * page cap of Defender calls, one scan of the table, and one write per
 * changed device (in transactions of 100). A budget that refuses a page
 * writes nothing and is an outcome, not a failure.
 */
export async function refreshDeviceDirectory(deps: DirectoryDeps): Promise<RefreshOutcome> {
  const startedMs = deps.clock.nowMs();
  let machines;
  try {
    machines = await deps.defender.listMachines();
  } catch (error) {
    if (!(error instanceof ThrottledError)) throw error;
    deps.logger.log('warn', 'device directory refresh deferred: the status budget is spent for now', { waitMs: error.retryAfterMs });
    return { kind: 'deferred', waitMs: error.retryAfterMs };
  }
  const listed = new Map<string, CachedDevice>();
  let skipped = 0;
  for (const machine of machines) {
    const device = cachedDeviceOf(machine);
    if (device) listed.set(device.id, device);
    else skipped += 1;
  }
  const stored = new Map((await deps.devices.listAll()).map((d) => [d.id, JSON.stringify(d)]));
  const changed = [...listed.values()].filter((d) => stored.get(d.id) !== JSON.stringify(d));
  const removed = [...stored.keys()].filter((id) => !listed.has(id));
  await deps.devices.write(changed, removed);
  await casRetry('the device directory state', async () => {
    const state = await deps.devices.loadState();
    const saved = await deps.devices.saveState(
      { refreshedMs: startedMs, missLookupsLeft: deps.config.deviceDirectory.missLookups },
      state?.etag,
    );
    return saved === 'ok' ? settled(undefined) : conflict;
  });
  const outcome = { kind: 'refreshed' as const, devices: listed.size, written: changed.length, removed: removed.length, skipped };
  deps.logger.log('info', 'device directory refreshed', outcome);
  return outcome;
}
