import { afterEach, describe, expect, it } from 'vitest';
import type { DefenderClient } from '../../../shared/defender/client.js';
import type { SimulatorSettingsInput } from '../../../simulator/index.js';
import {
  deviceId,
  jsonOf,
  manyDevicesFleet,
  runScript,
  simulatorClient,
  startTestSimulator,
  type TestSimulator,
} from '../../helpers/simulator.js';

/** The Defender client against the simulator's strict lists: paging, documented filters only. */
describe('DefenderClient against strict lists', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  async function setUp(settings: SimulatorSettingsInput): Promise<{ client: DefenderClient; extraPages: string[] }> {
    const tags = (n: number) => (n % 3 === 0 ? ['finance'] : n % 3 === 1 ? ['sales'] : []);
    const fleet = manyDevicesFleet(25);
    t = await startTestSimulator({
      fleet: { ...fleet, devices: (fleet.devices ?? []).map((d, i) => ({ ...d, tags: tags(i + 1) })) },
      settings,
    });
    const extraPages: string[] = [];
    const client = simulatorClient(t, { payForExtraCall: (what) => Promise.resolve(void extraPages.push(what)) });
    return { client, extraPages };
  }

  it('reads every machine across the pages of the strict profile, paying each page after the first', async () => {
    const { client, extraPages } = await setUp({ profile: 'strict' });
    const machines = await client.listMachines();
    expect(machines.map((m) => m.id)).toEqual(Array.from({ length: 25 }, (_, i) => deviceId(i + 1)));
    expect(extraPages).toEqual(['list machines', 'list machines']);
  });

  it('selects devices with any of several tags under strict $filter', async () => {
    const { client } = await setUp({ profile: 'strict' });
    const machines = await client.listMachines({ tags: ['finance', 'sales'], top: 100 });
    expect(machines).toHaveLength(17);
  });

  it('reads open actions by id under strict $filter, where `id in` is refused', async () => {
    const { client } = await setUp({ strictOData: true, pageSize: 10 });
    const ids: string[] = [];
    for (let n = 1; n <= 3; n++) {
      ids.push((await jsonOf<{ id: string }>(await t.runLiveResponse(deviceId(n), [runScript('Echo.ps1')]))).id);
    }
    const found = await client.listMachineActions({ ids });
    expect(found.map((a) => a.id).sort()).toEqual([...ids].sort());
  });
});
