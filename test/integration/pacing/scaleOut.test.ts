import { afterEach, describe, expect, it } from 'vitest';
import { startPacingCluster, type PacingCluster } from '../../../bench/cluster.js';
import { deviceIdOf, workloadFleet, type WorkloadSpec } from '../../../bench/workload.js';
import type { Clock } from '../../../shared/clock.js';
import type { Profile } from '../../../simulator/index.js';

/**
 * Three workers (standing in for scaled-out Function instances) share one
 * storage account and one simulator. The simulator's own counters, not our
 * bookkeeping, judge whether a limit was exceeded. Time runs 60x (30x for the 429 test) faster;
 * nothing asserts on speed. Each case runs against the lenient and the strict simulator
 * (a 429 uses quota, Retry-After is the window's length, one bucket for the status
 * calls, sessions and runliveresponse calls shared by the tenant's apps).
 */
interface Call {
  /** runliveresponse, or another API call (status, link, list, machines). */
  liveResponse: boolean;
  sentMs: number;
  answeredMs: number;
  status: number;
  retryAfterS?: number;
}

/** Records every API call the workers make (result downloads are not API calls). */
function recordingFetch(clockOf: () => Clock | undefined, calls: Call[]): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const sentMs = clockOf()?.nowMs() ?? 0;
    const response = await fetch(input, init);
    if (url.includes('/api/')) {
      const retry = response.headers.get('retry-after');
      calls.push({
        liveResponse: url.includes('/runliveresponse'),
        sentMs,
        answeredMs: clockOf()?.nowMs() ?? 0,
        status: response.status,
        retryAfterS: retry === null ? undefined : Number(retry),
      });
    }
    return response;
  };
}

let cluster: PacingCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const spec: WorkloadSpec = {
  devices: 36,
  offlineShare: 0.1,
  offlineUntilMaxMs: 4 * 60_000,
  scriptMs: 60_000,
  portalSessions: { count: 2, untilMs: 5 * 60_000 },
};
const devices = Array.from({ length: spec.devices }, (_, i) => deviceIdOf(i));

describe.each<{ profile: Profile }>([{ profile: 'lenient' }, { profile: 'strict' }])(
  'pacing shared by three workers ($profile simulator)',
  ({ profile }) => {
    it('never exceeds a Defender limit, creates one action per device, and every worker takes part', async () => {
      const calls: Call[] = [];
      cluster = await startPacingCluster({
        fleet: workloadFleet(spec),
        timeScale: 60,
        workers: 3,
        // At 60x, 50 ms of wall-clock latency between our ledger and the simulator is 3 s of simulated time: widen the margin.
        settings: { PACING_SAFETY_MARGIN_MS: '6000', DEVICE_BUSY_RETRY_MS: '60000' },
        simulatorSettings: { profile },
        fetch: recordingFetch(() => cluster?.clock, calls),
      });
      const runId = await cluster.startRun(devices);
      const status = await cluster.waitForRun(runId, 120_000);

      const stats = cluster.simulator.stats();
      expect(stats.throttled.runLiveResponse ?? 0).toBe(0);
      expect(stats.sessionLimitRejections).toBe(0);
      expect(stats.maxRunLiveResponseCallsIn60s).toBeLessThanOrEqual(10);
      expect(stats.maxConcurrentSessions).toBeLessThanOrEqual(25);
      expect(stats.actionsCreated).toBe(spec.devices);
      expect(status.devices.filter((d) => d.actionStatus === 'Succeeded')).toHaveLength(spec.devices);
      // The devices with a portal session were refused (400 ActiveRequestAlreadyExists), backed off and done later.
      expect(stats.activeRequestRejections).toBeGreaterThanOrEqual(2);
      for (const worker of cluster.workers) expect(worker.handled.actions + worker.handled.polls).toBeGreaterThan(0);
    }, 180_000);

    it('honours a 429 Retry-After in every worker: no worker calls again before it has passed', async () => {
      const calls: Call[] = [];
      cluster = await startPacingCluster({
        fleet: workloadFleet({ ...spec, offlineShare: 0, portalSessions: undefined }),
        timeScale: 30,
        workers: 3,
        // The tenant allows fewer calls than we believe (another app shares it): 429s will come.
        simulatorSettings: { profile, liveResponseCallsPerMinute: 4 },
        fetch: recordingFetch(() => cluster?.clock, calls),
      });
      const runId = await cluster.startRun(devices.slice(0, 16));
      await cluster.waitForRun(runId, 120_000);

      // The penalty holds back runliveresponse calls (status calls have their own budget).
      const liveResponse = calls.filter((c) => c.liveResponse);
      const throttled = liveResponse.filter((c) => c.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      for (const t of throttled) {
        const penaltyEndMs = t.answeredMs + (t.retryAfterS ?? 0) * 1000;
        // Slack: a call whose last look came before the penalty was committed may still go. That commit is a
        // compare-and-swap on Azurite shared by three workers: up to half a second of wall time (x30) on a loaded
        // two-core machine, where this suite runs beside the others.
        const early = liveResponse.filter((c) => c.sentMs > t.answeredMs + 15_000 && c.sentMs < penaltyEndMs - 500);
        expect({ t, early }).toEqual({ t, early: [] });
      }
      // Every 429 costs at most the calls already in flight: fewer 429s than accepted calls.
      expect(throttled.length).toBeLessThan(liveResponse.length - throttled.length);
      expect(cluster.simulator.stats().actionsCreated).toBe(16);
    }, 180_000);
  },
);

describe('pacing shared by three workers, with another app in the tenant (strict simulator)', () => {
  it("keeps its 429s to at most 1% of its calls once it has learnt the ceiling another app's third of the quota leaves", async () => {
    const calls: Call[] = [];
    const fleet = {
      ...workloadFleet({ devices: 120, offlineShare: 0, offlineUntilMaxMs: 0, scriptMs: 30_000 }),
      // One call every 18 s: a third of the tenant's 10 runliveresponse calls a minute (quotaScope tenant).
      otherApps: [{ name: 'edr-tool', liveResponseCallsPerMinute: 10 / 3, sessionMs: 60_000 }],
    };
    cluster = await startPacingCluster({
      fleet,
      timeScale: 60,
      workers: 3,
      settings: { PACING_SAFETY_MARGIN_MS: '6000', DEVICE_BUSY_RETRY_MS: '60000' },
      simulatorSettings: { profile: 'strict' },
      fetch: recordingFetch(() => cluster?.clock, calls),
    });
    const runId = await cluster.startRun(fleet.devices.map((d) => d.id));
    // The run ends: every action ended and every result was collected.
    const status = await cluster.waitForRun(runId, 150_000);

    // Learning is the first 429 and its Retry-After: calls already under way when it came may be refused too.
    // After it, the goal (issue 17: the responder's 429s at most 1% of its calls) counts every API call it makes.
    const firstRefusal = calls.find((c) => c.status === 429);
    const learntMs = firstRefusal ? firstRefusal.answeredMs + (firstRefusal.retryAfterS ?? 0) * 1000 : 0;
    const afterLearning = calls.filter((c) => c.sentMs > learntMs);
    const figures = {
      calls: calls.length,
      liveResponseCalls: calls.filter((c) => c.liveResponse).length,
      throttled: calls.filter((c) => c.status === 429).length,
      callsAfterLearning: afterLearning.length,
      throttledAfterLearning: afterLearning.filter((c) => c.status === 429).length,
      otherApp: cluster.simulator.stats().otherApps['edr-tool'],
    };
    expect(status.devices.filter((d) => d.actionStatus === 'Succeeded')).toHaveLength(120);
    expect(figures.throttled).toBeGreaterThan(0);
    expect(figures.throttledAfterLearning / figures.callsAfterLearning, JSON.stringify(figures)).toBeLessThanOrEqual(0.01);
  }, 240_000);
});
