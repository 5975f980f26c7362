import { describe, expect, it } from 'vitest';
import { runChaos } from '../../bench/chaos/runChaos.js';

/**
 * The fault suite's small deterministic version (npm run chaos is the long
 * one): six alerts of the three shapes, a manual run and the nightly
 * schedule on three worker processes; one worker is killed with SIGKILL
 * while work is in flight, and every fault kind meets the pipeline once
 * (storage 503, reset, delay and a committed write whose answer is lost, at
 * each storage endpoint; a Defender reset, slow answer, lost POST answer and
 * 500; list lag). Only outcomes are asserted, never speed: the deadline is
 * generous for a loaded machine.
 */
describe('the fault suite, small and deterministic', () => {
  it('keeps every alert, action and file through a worker killed mid-run and one fault of each kind', { timeout: 240_000 }, async () => {
    const lines: string[] = [];
    const result = await runChaos({
      workload: {
        devices: 12,
        offlineShare: 0.25,
        offlineUntilMaxMs: 3 * 60_000,
        scriptMs: 30_000,
        outputBytes: 16 * 1024,
        nightlyEvery: 4,
      },
      alerts: 6,
      manualDevices: 4,
      workers: 3,
      timeScale: 30,
      plan: 'once',
      rates: {
        killEveryWallS: [0, 0],
        storage: { busy: 0, reset: 0, delay: 0, ambiguousWrite: 0 },
        defender: { reset: 0, delay: 0, ambiguousWrite: 0 },
        simulator5xxEveryWallS: 0,
        simulator5xxBurst: 0,
      },
      faultWindowWallS: 0,
      deadlineWallS: 180,
      listLagMs: 60_000,
      reconcileStaleMs: 5 * 60_000,
      lockSeconds: 10,
      delayMs: 2_000,
      logLevel: 'debug',
      say: (line) => void lines.push(line),
    });

    expect(lines).toContain('kill -9 worker 0');
    expect(result.injected.storage).toMatchObject({ busy: 3, reset: 3, delay: 3, ambiguousWrite: 3 });
    expect(result.injected.defender).toMatchObject({ reset: 1, delay: 1, ambiguousWrite: 1 });
    const { figures } = result;
    expect(figures.alertsWithOneOutcome).toBe(6);
    expect(figures.runs).toBe(8); // six alerts, the manual run, the schedule
    expect(figures.maxActionsPerIntent).toBe(1);
    expect(figures.intents).toBe(6 + 4 + 3);
    expect(figures.completedNotCollected).toEqual([]);
    expect(figures.blobsChecked).toBe(6 + 4 + 3);
    expect(figures.blobsMismatched).toEqual([]);
    expect(figures.throttledShare).toBeLessThanOrEqual(0.01);
    expect(figures.logLines).toBeGreaterThan(0);
    expect(figures.secretsInLogs).toEqual({});
    expect(figures.runsNotEnded).toEqual([]);
    expect(result.allGoalsMet).toBe(true);
  });
});
