import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorSettingsInput } from '../../../simulator/index.js';
import { deviceId, errorOf, jsonOf, manyDevicesFleet, runScript, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

/** Ten admitted runliveresponse calls, one every 2 s from 0 to 18 s; the clock is left at 20 s. */
async function fillTheMinute(t: TestSimulator): Promise<void> {
  for (let i = 1; i <= 10; i++) {
    expect((await t.runLiveResponse(deviceId(i), [runScript('Echo.ps1')])).status).toBe(201);
    t.clock.advance(2_000);
  }
}

describe('rate limits under each strictness setting', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });
  const start = (settings: SimulatorSettingsInput) => startTestSimulator({ fleet: manyDevicesFleet(12), settings });

  describe('refusedCallsCount', () => {
    it('lenient: a throttled call uses no quota, so a retry once the oldest call has left is admitted', async () => {
      // Prepare
      t = await start({ refusedCallsCount: false });
      await fillTheMinute(t);
      const refused = await t.runLiveResponse(deviceId(11), [runScript('Echo.ps1')]);
      // Act: at 60 s the call of 0 s has left the window
      t.clock.advance(40_000);
      const retry = await t.runLiveResponse(deviceId(11), [runScript('Echo.ps1')]);
      // Assess
      expect(refused.headers.get('retry-after')).toBe('40');
      expect(retry.status).toBe(201);
    });

    it('strict: a throttled call counts, so a retry too early stays throttled and one at the told time is admitted', async () => {
      // Prepare
      t = await start({ refusedCallsCount: true });
      await fillTheMinute(t);
      const refused = await t.runLiveResponse(deviceId(11), [runScript('Echo.ps1')]);
      // Act: at 60 s the call of 0 s has left, but the refused call of 20 s has taken its place
      t.clock.advance(40_000);
      const tooEarly = await t.runLiveResponse(deviceId(11), [runScript('Echo.ps1')]);
      t.clock.advance(Number(tooEarly.headers.get('retry-after')) * 1000);
      const onTime = await t.runLiveResponse(deviceId(11), [runScript('Echo.ps1')]);
      // Assess: the refused call of 20 s holds the window until the call of 2 s leaves (62 s)
      expect(refused.headers.get('retry-after')).toBe('42');
      expect(tooEarly.status).toBe(429);
      expect(onTime.status).toBe(201);
      expect(t.sim.stats().throttled.runLiveResponse).toBe(2);
    });
  });

  describe('retryAfter', () => {
    it.each([
      { retryAfter: 'exact', header: '40', seconds: 40 },
      { retryAfter: 'coarse', header: '60', seconds: 60 },
      { retryAfter: 'absent', header: null, seconds: 40 },
    ] as const)('$retryAfter: Retry-After $header, message naming $seconds seconds', async ({ retryAfter, header, seconds }) => {
      // Prepare
      t = await start({ retryAfter });
      await fillTheMinute(t);
      // Act
      const refused = await t.runLiveResponse(deviceId(11), [runScript('Echo.ps1')]);
      // Assess
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe(header);
      expect((await errorOf(refused)).message).toBe(`Rate limit is exceeded. Try again in ${seconds} seconds.`);
    });

    it('coarse: the hourly limit tells the hour', async () => {
      // Prepare
      t = await start({ retryAfter: 'coarse', callsPerHour: 3 });
      for (let i = 0; i < 3; i++) expect((await t.call('/api/machines')).status).toBe(200);
      // Act: two minutes later the hour is still full (the exact wait would be 3,480 s)
      t.clock.advance(120_000);
      const refused = await t.call('/api/machines');
      // Assess
      expect(refused.headers.get('retry-after')).toBe('3600');
    });

    it('absent: the session-limit 429 has no Retry-After either', async () => {
      // Prepare
      t = await start({ retryAfter: 'absent', maxConcurrentSessions: 1 });
      expect((await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')])).status).toBe(201);
      // Act
      const refused = await t.runLiveResponse(deviceId(2), [runScript('Echo.ps1')]);
      // Assess
      expect(refused.status).toBe(429);
      expect(refused.headers.has('retry-after')).toBe(false);
    });
  });

  describe('rateBuckets', () => {
    it.each([
      { rateBuckets: 'perEndpoint', otherEndpoint: 200 },
      { rateBuckets: 'shared', otherEndpoint: 429 },
    ] as const)(
      '$rateBuckets: after 3 calls to one endpoint of a 3/min class, another endpoint answers $otherEndpoint',
      async ({ rateBuckets, otherEndpoint }) => {
        // Prepare
        t = await start({ rateBuckets, callsPerMinute: 3 });
        for (let i = 0; i < 3; i++) expect((await t.call('/api/machineactions')).status).toBe(200);
        // Act
        const machines = await t.call('/api/machines');
        const liveResponse = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
        // Assess
        expect(machines.status).toBe(otherEndpoint);
        expect(liveResponse.status).toBe(201);
      },
    );
  });
});

describe('quotaScope with another app of the tenant', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });
  /** Another app making 10 runliveresponse calls in the first minute (0, 6, ..., 54 s), each session 1 s long. */
  const busyNeighbour = { name: 'edr-tool', liveResponseCallsPerMinute: 10, sessionMs: 1_000, untilMs: 60_000 };

  it.each([
    { quotaScope: 'app', ours: 201 },
    { quotaScope: 'tenant', ours: 429 },
  ] as const)('$quotaScope: our call after its ten calls in the minute answers $ours', async ({ quotaScope, ours }) => {
    // Prepare
    t = await startTestSimulator({ fleet: manyDevicesFleet(2, { otherApps: [busyNeighbour] }), settings: { quotaScope } });
    // Act
    t.clock.advance(59_000);
    const res = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    // Assess
    expect(res.status).toBe(ours);
    expect(t.sim.stats().otherApps['edr-tool']).toMatchObject({ calls: 10, throttled: 0, actionsCreated: 10 });
  });

  it.each([
    { quotaScope: 'app', theirs: 0 },
    { quotaScope: 'tenant', theirs: 1 },
  ] as const)('$quotaScope: our call takes a slot of theirs, $theirs of their calls refused', async ({ quotaScope, theirs }) => {
    // Prepare
    t = await startTestSimulator({ fleet: manyDevicesFleet(2, { otherApps: [busyNeighbour] }), settings: { quotaScope } });
    // Act
    t.clock.advance(1_000);
    expect((await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')])).status).toBe(201);
    t.clock.advance(58_000);
    const stats = t.sim.stats();
    // Assess: their refusals are theirs, not ours
    expect(stats.otherApps['edr-tool']).toMatchObject({ calls: 10, throttled: theirs, actionsCreated: 10 - theirs });
    expect(stats.throttled.runLiveResponse).toBeUndefined();
    expect(stats.calls.runLiveResponse).toBe(1);
    expect(stats.actionsCreated).toBe(1);
  });

  it.each([
    { quotaScope: 'app', ours: 201 },
    { quotaScope: 'tenant', ours: 429 },
  ] as const)('$quotaScope: 25 Pending sessions of another tool leave our call $ours', async ({ quotaScope, ours }) => {
    // Prepare: 25 calls at 10 a minute (0 to 144 s) whose sessions stay Pending for three days
    const pendingTool = {
      name: 'stuck-tool',
      appId: '77777777-0000-0000-0000-000000000001',
      liveResponseCallsPerMinute: 10,
      sessionMs: 3 * 24 * 3_600_000,
      sessionStatus: 'Pending',
      untilMs: 150_000,
    } as const;
    t = await startTestSimulator({ fleet: manyDevicesFleet(1, { otherApps: [pendingTool] }), settings: { quotaScope } });
    // Act: the rate limit has long freed
    t.clock.advance(10 * 60_000);
    const res = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    // Assess
    expect(res.status).toBe(ours);
    const listed = await jsonOf<{ value: { status: string }[] }>(
      await t.call(`/api/machineactions?$filter=requestor eq '${pendingTool.appId}' and status eq 'Pending'`),
    );
    expect(listed.value).toHaveLength(25);
    if (ours === 429) expect(t.sim.stats().sessionLimitRejections).toBe(1);
  });
});

describe("profile: 'strict'", () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  it('turns on all four rate-limit choices at once', async () => {
    // Prepare: another app uses the tenant's ten calls in the first minute; the 100/min class is cut to 3/min
    const fleet = manyDevicesFleet(2, {
      otherApps: [{ name: 'edr-tool', liveResponseCallsPerMinute: 10, sessionMs: 1_000, untilMs: 60_000 }],
    });
    t = await startTestSimulator({ fleet, settings: { profile: 'strict', callsPerMinute: 3 } });
    t.clock.advance(59_000);
    // Act
    const liveResponse = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    for (let i = 0; i < 3; i++) expect((await t.call('/api/machineactions')).status).toBe(200);
    const otherEndpoint = await t.call('/api/machines');
    t.clock.advance(30_000);
    for (let i = 0; i < 3; i++) expect((await t.call('/api/machines')).status).toBe(429);
    t.clock.advance(30_000);
    const afterAdmittedLeft = await t.call('/api/machines');
    // Assess
    expect(t.sim.strictness).toMatchObject({ refusedCallsCount: true, retryAfter: 'coarse', rateBuckets: 'shared', quotaScope: 'tenant' });
    expect(liveResponse.status).toBe(429); // quotaScope tenant: the other app used the minute
    expect(liveResponse.headers.get('retry-after')).toBe('60'); // retryAfter coarse
    expect(otherEndpoint.status).toBe(429); // rateBuckets shared
    expect(afterAdmittedLeft.status).toBe(429); // refusedCallsCount: the three refusals of 89 s fill the minute
  });
});
