import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../../shared/clock.js';
import { SimulatorCredential, parseFleet, startSimulator, type RunningSimulator } from '../../../simulator/index.js';
import { runMdeAutomator } from '../../../bench/peers/mdeAutomator/orchestrator.js';
import { PEER_FILE_PATH, peerFleet } from '../../../bench/peer/fleet.js';
import { deviceIdOf } from '../../../bench/workload.js';

describe('the MDEAutomator model against the simulator', () => {
  let simulator: RunningSimulator | undefined;
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('collects the online devices and gives up on one offline past 11 minutes, leaving its action Pending', async () => {
    // Prepare: three devices, the third (every third is offline) back only after 40 simulated minutes.
    const clock = new ScaledClock({ scale: 600 });
    const fleet = peerFleet({ devices: 3, offlineShare: 1 / 3, offlineUntilMaxMs: 40 * 60_000 });
    simulator = await startSimulator({ fleet: parseFleet(fleet), clock });
    const deviceIds = [0, 1, 2].map(deviceIdOf);

    // Act
    const result = await runMdeAutomator({
      baseUrl: simulator.url,
      clock,
      sleep: (ms) => delay(clock.toWallMs(ms)),
      credential: new SimulatorCredential({ clock }),
      deviceIds,
      filePath: PEER_FILE_PATH,
      invocations: 1,
    });

    // Assess
    expect(result.devices.map((d) => [d.deviceId, d.result])).toEqual([
      [deviceIds[0], 'collected'],
      [deviceIds[1], 'collected'],
      [deviceIds[2], 'gaveUp'],
    ]);
    const stats = simulator.stats();
    expect(stats.actionsByStatus.Pending).toBe(1);
    expect(stats.downloadsServed).toBe(2);
    const [invocation] = result.invocations;
    expect(invocation && invocation.endedMs - invocation.startedMs).toBeGreaterThanOrEqual(11 * 60_000);
    expect(invocation?.answeredCaller).toBe(false);
  });
});
