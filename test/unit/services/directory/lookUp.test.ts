import { describe, expect, it } from 'vitest';
import { lookUpDevices } from '../../../../shared/services/directory/lookUp.js';
import { recordingLogger } from '../../../helpers/faultyTransport.js';
import { fakeDeps } from '../../../helpers/fakes.js';

const id = (n: number): string => n.toString(16).padStart(40, '0');

async function directoryRefreshedNow() {
  const { logger, lines } = recordingLogger();
  const deps = { ...fakeDeps(), logger };
  await deps.devices.write([{ id: id(1), name: 'ws-1', tags: [] }], []);
  await deps.devices.saveState({ refreshedMs: deps.clock.nowMs(), missLookupsLeft: 0 }, undefined);
  const stale = () => lines.filter((l) => l.includes('the device directory is stale')).length;
  return { deps, stale };
}

describe('looking devices up in the cached device directory', () => {
  it('reads the directory state once while the refresh it saw is within the maximum age, not once per look-up', async () => {
    const { deps, stale } = await directoryRefreshedNow();
    for (let i = 0; i < 5; i += 1) {
      expect((await lookUpDevices(deps, [id(1)])).get(id(1))).toMatchObject({ kind: 'known' });
      deps.clock.advance(deps.config.deviceDirectory.maxAgeMs / 10);
    }
    expect(deps.devices.calls.getMany).toBe(5);
    expect(deps.devices.calls.loadState).toBe(1);
    expect(stale()).toBe(0);
  });

  it('reads the state again once the refresh it saw is older than the maximum age, and warns only when no newer refresh came', async () => {
    const { deps, stale } = await directoryRefreshedNow();
    await lookUpDevices(deps, [id(1)]);
    deps.clock.advance(deps.config.deviceDirectory.maxAgeMs + 1);
    // Another instance refreshed meanwhile: no warning, and its refresh is remembered.
    const state = await deps.devices.loadState();
    await deps.devices.saveState({ refreshedMs: deps.clock.nowMs(), missLookupsLeft: 0 }, state?.etag);
    const before = deps.devices.calls.loadState;
    await lookUpDevices(deps, [id(1)]);
    await lookUpDevices(deps, [id(1)]);
    expect(deps.devices.calls.loadState - before).toBe(1);
    expect(stale()).toBe(0);
    // No refresh for longer than the maximum age: every look-up reads the state and warns.
    deps.clock.advance(deps.config.deviceDirectory.maxAgeMs + 1);
    await lookUpDevices(deps, [id(1)]);
    await lookUpDevices(deps, [id(1)]);
    expect(deps.devices.calls.loadState - before).toBe(3);
    expect(stale()).toBe(2);
  });
});
