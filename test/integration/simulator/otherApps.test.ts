import { afterEach, describe, expect, it } from 'vitest';
import { deviceId, errorOf, jsonOf, manyDevicesFleet, runScript, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

interface ListedAction {
  requestor: string;
  machineId: string;
  status: string;
}

describe("the fleet's other apps", () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  it('open sessions on the devices they name, which are busy for us until the session ends', async () => {
    // Prepare: one call a minute on device 1, each session 90 s long
    const tool = {
      name: 'hunter',
      appId: '88888888-0000-0000-0000-000000000001',
      liveResponseCallsPerMinute: 1,
      sessionMs: 90_000,
      deviceIds: [deviceId(1)],
    };
    t = await startTestSimulator({ fleet: manyDevicesFleet(2, { otherApps: [tool] }) });
    // Act
    t.clock.advance(30_000);
    const busy = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    const free = await t.runLiveResponse(deviceId(2), [runScript('Echo.ps1')]);
    t.clock.advance(60_000);
    const afterSession = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    // Assess
    expect(busy.status).toBe(400);
    expect((await errorOf(busy)).code).toBe('ActiveRequestAlreadyExists');
    expect(free.status).toBe(201);
    expect(afterSession.status).toBe(201);
    const listed = await jsonOf<{ value: ListedAction[] }>(await t.call(`/api/machineactions?$filter=requestor eq '${tool.appId}'`));
    expect(listed.value.map((a) => [a.machineId, a.status])).toEqual([[deviceId(1), 'Succeeded']]);
    // its call at 60 s found device 1 busy with its own session
    expect(t.sim.stats().otherApps.hunter).toMatchObject({ calls: 2, actionsCreated: 1, activeRequestRejections: 1 });
  });

  it('target devices outside the fleet when they name none, and make their calls on the clock alone', async () => {
    // Prepare
    const tool = { name: 'sweeper', liveResponseCallsPerMinute: 6, sessionMs: 5_000, fromMs: 60_000, untilMs: 120_000 };
    t = await startTestSimulator({ fleet: manyDevicesFleet(1, { otherApps: [tool] }) });
    // Act: three simulated days pass with no request in between
    t.clock.advance(3 * 24 * 3_600_000);
    const stats = t.sim.stats();
    const listed = await jsonOf<{ value: ListedAction[] }>(await t.call('/api/machineactions'));
    // Assess: six calls, 60 s to 110 s, each on a device of its own
    expect(stats.otherApps.sweeper).toEqual({
      calls: 6,
      throttled: 0,
      sessionLimitRejections: 0,
      activeRequestRejections: 0,
      actionsCreated: 6,
    });
    expect(stats.actionsCreated).toBe(0);
    expect(stats.calls.runLiveResponse).toBeUndefined();
    expect(new Set(listed.value.map((a) => a.machineId)).size).toBe(6);
    expect(listed.value.every((a) => a.status === 'Succeeded' && a.machineId !== deviceId(1))).toBe(true);
  });

  it('are refused by their own rate limit when they call faster than it allows', async () => {
    // Prepare: 20 calls a minute against a 10/min limit (app scope)
    t = await startTestSimulator({
      fleet: manyDevicesFleet(1, { otherApps: [{ name: 'eager', liveResponseCallsPerMinute: 20, sessionMs: 1_000, untilMs: 60_000 }] }),
    });
    // Act
    t.clock.advance(60_000);
    const ours = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    // Assess
    expect(t.sim.stats().otherApps.eager).toMatchObject({ calls: 20, throttled: 10, actionsCreated: 10 });
    expect(ours.status).toBe(201);
  });
});
