import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../../shared/clock.js';
import { DEVICE, jsonOf, runScript, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

describe('list lag (listLagMs, README choice 27)', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  const create = async (): Promise<string> =>
    (await jsonOf<{ id: string }>(await t.runLiveResponse(DEVICE.sql, [runScript('Collect-Triage.ps1', '-OutputName x')]))).id;
  const listedIds = async (): Promise<string[]> =>
    (await jsonOf<{ value: { id: string }[] }>(await t.call('/api/machineactions'))).value.map((a) => a.id);
  const getStatus = async (id: string): Promise<number> => (await t.call(`/api/machineactions/${id}`)).status;

  it('lists and gets a new action at once in the lenient profile', async () => {
    t = await startTestSimulator();
    const id = await create();
    expect(await listedIds()).toEqual([id]);
    expect(await getStatus(id)).toBe(200);
  });

  it('hides a new action from lists and GET by id for 5 s under the strict profile', async () => {
    t = await startTestSimulator({ settings: { profile: 'strict' } });
    const id = await create();
    t.clock.advance(4_999);
    expect(await listedIds()).toEqual([]);
    expect(await getStatus(id)).toBe(404);
    t.clock.advance(1);
    expect(await listedIds()).toEqual([id]);
    expect(await getStatus(id)).toBe(200);
  });

  it('takes minutes of lag as a fault', async () => {
    t = await startTestSimulator({ settings: { listLagMs: 5 * MINUTE_MS } });
    const id = await create();
    t.clock.advance(5 * MINUTE_MS - 1);
    expect(await listedIds()).toEqual([]);
    t.clock.advance(1);
    expect(await listedIds()).toEqual([id]);
  });

  it('keeps the invisibleAfterCreateMs fault for GET by id only', async () => {
    t = await startTestSimulator({ faults: { invisibleAfterCreateMs: 10_000 } });
    const id = await create();
    expect(await listedIds()).toEqual([id]);
    expect(await getStatus(id)).toBe(404);
    t.clock.advance(10_000);
    expect(await getStatus(id)).toBe(200);
  });
});
