import { afterEach, describe, expect, it } from 'vitest';
import { busyFigures, readActions } from '../../../bench/busy/measure.js';
import { busyAlerts, busyFleet, type BusySpec } from '../../../bench/busy/workload.js';
import { startPacingCluster, type PacingCluster } from '../../../bench/cluster.js';
import { SimulatorCredential } from '../../../simulator/index.js';

/**
 * Three alerts on one device, each starting a run of the shipped triage
 * playbook, through the local pipeline (Azurite, the simulator, one worker)
 * on a clock running 20x faster. Only one action may run on a device at a
 * time: each next run is woken when the previous action is seen to end,
 * instead of retrying every DEVICE_BUSY_RETRY_MS (2 min), and no call is
 * refused as ActiveRequestAlreadyExists. The simulator's record of the
 * actions judges.
 */
let cluster: PacingCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

// A short script: retrying every 2 min would leave the device idle about 90 s between actions.
const spec: BusySpec = { devices: 1, alertsPerDevice: 3, scriptMs: 20_000 };
/** Detection (a look every POLL_DEVICE_QUEUE_MS, 5 s) and our own handling, with room for a loaded machine; a retry would be 120 s. */
const MAX_GAP_MS = 45_000;

describe('runs on a busy device', () => {
  it('run back to back, each woken when the previous action ends, with no call refused as device busy', async () => {
    cluster = await startPacingCluster({ fleet: busyFleet(spec), timeScale: 20, workers: 1, settings: { PLAYBOOKS_DIR: 'playbooks' } });
    const startMs = cluster.clock.nowMs();
    await cluster.sendAlerts(busyAlerts(spec));
    const total = spec.devices * spec.alertsPerDevice;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const byStatus = cluster.simulator.stats().actionsByStatus;
      if (byStatus.Succeeded + byStatus.Failed >= total || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const stats = cluster.simulator.stats();
    const actions = await readActions(cluster.simulator, new SimulatorCredential({ clock: cluster.clock }));
    const figures = busyFigures(actions, startMs, stats);

    expect(actions.map((a) => a.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expect(figures.activeRequestRejections).toBe(0);
    expect(figures.devices[0]?.gapsMs).toHaveLength(2);
    for (const gap of figures.devices[0]?.gapsMs ?? []) {
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThanOrEqual(MAX_GAP_MS);
    }
  });
});
