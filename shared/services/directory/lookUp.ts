import { cachedDeviceOf, type CachedDevice } from '../../devices/directoryStore.js';
import { NotFoundError, describeError } from '../../errors.js';
import type { DeviceFacts } from '../../playbooks/match.js';
import { takeMissLookups } from './allowance.js';
import type { DirectoryDeps } from './deps.js';

/** What the directory says of one device. */
export type DeviceLookup =
  /** In the directory (or looked up just now and added to it). */
  | { kind: 'known'; facts: DeviceFacts }
  /** Missing from the directory, and Defender answered 404 when asked. */
  | { kind: 'unknown' }
  /** Missing from the directory, and no look-up could be made now (allowance or budget spent). */
  | { kind: 'missing' };

export const factsOfCached = (device: CachedDevice): DeviceFacts => ({
  id: device.id,
  name: device.name,
  tags: device.tags,
  osPlatform: device.osPlatform,
});

/**
 * Looks devices up in the cached directory: one store read for all of
 * them, no Defender call for a device it holds (however old the directory:
 * a stale one is used, and the warning says how old). A device it does not
 * hold (new since the last refresh) is asked of Defender
 * (`GET /machines/{id}`, paid from the status budget) only while the
 * tenant-wide miss allowance lasts; a look-up the budget refuses, or any
 * beyond the allowance, comes back `missing` rather than throwing.
 */
export async function lookUpDevices(deps: DirectoryDeps, ids: readonly string[]): Promise<Map<string, DeviceLookup>> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const stored = await deps.devices.getMany(wanted);
  const found = new Map<string, DeviceLookup>();
  for (const [id, device] of stored) found.set(id, { kind: 'known', facts: factsOfCached(device) });
  const missing = wanted.filter((id) => !stored.has(id));
  if (stored.size > 0) await warnIfStale(deps);
  const granted = await takeMissLookups(deps, missing.length);
  for (const [i, id] of missing.entries()) found.set(id, i < granted ? await lookUpOne(deps, id) : { kind: 'missing' });
  if (missing.length > granted) {
    deps.logger.log('info', 'devices missing from the device directory wait for its next refresh', {
      missing: missing.length - granted,
      lookedUp: granted,
    });
  }
  return found;
}

/** One miss look-up: the machine is added to the directory, so the next alert on it needs none. */
async function lookUpOne(deps: DirectoryDeps, id: string): Promise<DeviceLookup> {
  try {
    const device = cachedDeviceOf(await deps.defender.getMachine(id));
    if (!device) return { kind: 'unknown' };
    await deps.devices.write([device], []);
    return { kind: 'known', facts: factsOfCached(device) };
  } catch (error) {
    if (error instanceof NotFoundError) return { kind: 'unknown' };
    deps.logger.log('warn', 'could not look up a device missing from the device directory', { deviceId: id, error: describeError(error) });
    return { kind: 'missing' };
  }
}

/**
 * The newest refresh time each directory store was seen with in this
 * process. A refresh only ever moves it forward, so while the one seen last
 * is within the directory's maximum age the directory cannot be stale, and
 * the alert is answered without reading the directory's state (a storage read
 * per alert otherwise, only to decide whether to warn).
 */
const refreshSeen = new WeakMap<DirectoryDeps['devices'], number>();

async function warnIfStale(deps: DirectoryDeps): Promise<void> {
  const { maxAgeMs } = deps.config.deviceDirectory;
  const seenMs = refreshSeen.get(deps.devices);
  if (seenMs !== undefined && deps.clock.nowMs() - seenMs <= maxAgeMs) return;
  const refreshedMs = (await deps.devices.loadState())?.value.refreshedMs;
  if (refreshedMs !== undefined) refreshSeen.set(deps.devices, Math.max(refreshedMs, seenMs ?? refreshedMs));
  const ageMs = refreshedMs === undefined ? undefined : deps.clock.nowMs() - refreshedMs;
  if (ageMs !== undefined && ageMs <= maxAgeMs) return;
  deps.logger.log('warn', 'the device directory is stale; its facts are used as they are', {
    ageMs: ageMs ?? null,
    maxAgeMs,
  });
}
