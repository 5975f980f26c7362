import { afterEach, describe, expect, it } from 'vitest';
import {
  deviceId,
  errorOf,
  getFile,
  manyDevicesFleet,
  runScript,
  startTestSimulator,
  type TestSimulator,
} from '../../helpers/simulator.js';

describe('simulator rate limits', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  it('answers the 11th runliveresponse call within a minute with 429 and Retry-After, and admits it once the window frees', async () => {
    // Prepare: ten admitted calls, one every 2 s
    t = await startTestSimulator({ fleet: manyDevicesFleet(11) });
    for (let i = 1; i <= 10; i++) {
      expect((await t.runLiveResponse(deviceId(i), [runScript('Echo.ps1')])).status).toBe(201);
      t.clock.advance(2_000);
    }
    // Act
    const throttled = await t.runLiveResponse(deviceId(11), [runScript('Echo.ps1')]);
    // Assess
    expect(throttled.status).toBe(429);
    expect((await errorOf(throttled)).code).toBe('TooManyRequests');
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBe(40);
    t.clock.advance(retryAfter * 1000);
    expect((await t.runLiveResponse(deviceId(11), [runScript('Echo.ps1')])).status).toBe(201);
    const stats = t.sim.stats();
    expect(stats.throttled.runLiveResponse).toBe(1);
    expect(stats.maxRunLiveResponseCallsIn60s).toBe(11);
    expect(stats.maxAcceptedRunLiveResponseCallsIn60s).toBe(10);
  });

  it('counts calls that fail validation, but not calls it throttled', async () => {
    // Prepare: ten calls that fail with 404 still use the quota
    t = await startTestSimulator({ fleet: manyDevicesFleet(1) });
    for (let i = 0; i < 10; i++) expect((await t.runLiveResponse('f'.repeat(40), [getFile('C:\\x')])).status).toBe(404);
    // Act
    const rejected = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    t.clock.advance(59_999);
    const stillRejected = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    t.clock.advance(1);
    const admitted = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    // Assess
    expect([rejected.status, stillRejected.status, admitted.status]).toEqual([429, 429, 201]);
    expect(stillRejected.headers.get('retry-after')).toBe('1');
  });

  it('omits Retry-After when the fault is switched on', async () => {
    // Prepare
    t = await startTestSimulator({ fleet: manyDevicesFleet(1), faults: { omitRetryAfter: true } });
    for (let i = 0; i < 10; i++) await t.runLiveResponse('f'.repeat(40), [getFile('C:\\x')]);
    // Act
    const res = await t.runLiveResponse(deviceId(1), [getFile('C:\\x')]);
    // Assess
    expect(res.status).toBe(429);
    expect(res.headers.has('retry-after')).toBe(false);
  });

  it('limits other endpoints to 100 calls a minute, each endpoint on its own', async () => {
    // Prepare
    t = await startTestSimulator({ fleet: manyDevicesFleet(1) });
    for (let i = 0; i < 100; i++) expect((await t.call('/api/machineactions')).status).toBe(200);
    // Act
    const throttled = await t.call('/api/machineactions');
    const otherEndpoint = await t.call('/api/machines');
    // Assess
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
    expect(otherEndpoint.status).toBe(200);
  });

  it('limits other endpoints to 1,500 calls an hour', async () => {
    // Prepare: 100 calls in each of 15 minutes
    t = await startTestSimulator({ fleet: manyDevicesFleet(1) });
    for (let minute = 0; minute < 15; minute++) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => t.call('/api/libraryfiles')));
      expect(batch.every((r) => r.status === 200)).toBe(true);
      t.clock.advance(60_000);
    }
    // Act
    const res = await t.call('/api/libraryfiles');
    // Assess
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBe(3_600 - 15 * 60);
  });

  it('keeps a separate quota per application', async () => {
    // Prepare
    t = await startTestSimulator({ fleet: manyDevicesFleet(1) });
    for (let i = 0; i < 10; i++) await t.runLiveResponse('f'.repeat(40), [getFile('C:\\x')]);
    const otherApp = await t.tokenWith({ appId: '99999999-0000-0000-0000-000000000001' });
    // Act
    const res = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')], otherApp);
    // Assess
    expect(res.status).toBe(201);
  });
});
