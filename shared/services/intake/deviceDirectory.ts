import { osOf } from '../../alerts/alert.js';
import type { DefenderApi } from '../../defender/port.js';
import type { Machine } from '../../defender/types.js';
import type { DeviceDirectoryStore } from '../../devices/directoryStore.js';
import type { DeviceFacts } from '../../playbooks/match.js';
import type { Where } from '../../playbooks/schema.js';
import { factsOfCached } from '../directory/lookUp.js';

/**
 * What the planner needs to know about devices: one device's tags and OS
 * (safety exclusions, `when` device conditions) and the devices a `where`
 * selects. Backed by the cached device directory and Defender's machine
 * list; the dry-run CLI backs it with a fleet file instead.
 */
export interface DeviceDirectory {
  /** undefined: Defender does not know the device. */
  describe(deviceId: string): Promise<DeviceFacts | undefined>;
  /** Devices matching `where`, at most `limit` of them. */
  select(where: Where, limit: number): Promise<DeviceFacts[]>;
}

export function factsOf(machine: Machine): DeviceFacts {
  return {
    id: machine.id.toLowerCase(),
    name: machine.computerDnsName ?? undefined,
    tags: machine.machineTags,
    osPlatform: machine.osPlatform ?? undefined,
  };
}

/** Whether a device fits a `where` (checked again locally, whatever the API's filter did). */
export function fitsWhere(device: DeviceFacts, where: Where): boolean {
  const lower = (s: string | undefined) => (s ?? '').toLowerCase();
  const tags = new Set((device.tags ?? []).map(lower));
  if (where.tags && !where.tags.some((t) => tags.has(lower(t)))) return false;
  if (where.osPlatforms && !where.osPlatforms.some((o) => lower(o) === lower(device.osPlatform))) return false;
  if (where.os && !where.os.some((o) => o === osOf(device.osPlatform))) return false;
  if (where.namePrefix && !lower(device.name).startsWith(lower(where.namePrefix))) return false;
  return true;
}

/**
 * The directory services use: a device's facts from the cached device
 * directory (no Defender call; a device it does not hold is unknown here),
 * and a `where` selection from Defender (`GET /machines?$filter=...`, one
 * paid list per run, not per device).
 */
export function cachedDirectory(deps: { defender: Pick<DefenderApi, 'listMachines'>; devices: DeviceDirectoryStore }): DeviceDirectory {
  return {
    async describe(deviceId) {
      const found = (await deps.devices.getMany([deviceId])).get(deviceId.toLowerCase());
      return found && factsOfCached(found);
    },
    async select(where, limit) {
      const machines = await deps.defender.listMachines({
        tags: where.tags,
        osPlatforms: where.osPlatforms,
        namePrefix: where.namePrefix,
        top: limit,
      });
      return machines
        .map(factsOf)
        .filter((d) => fitsWhere(d, where))
        .slice(0, limit);
    },
  };
}

/** A fixed list of devices (dry runs from a fleet file, tests). */
export function staticDirectory(devices: readonly DeviceFacts[]): DeviceDirectory {
  const byId = new Map(devices.map((d) => [d.id.toLowerCase(), d]));
  return {
    describe: (id) => Promise.resolve(byId.get(id.toLowerCase())),
    select: (where, limit) => Promise.resolve(devices.filter((d) => fitsWhere(d, where)).slice(0, limit)),
  };
}
