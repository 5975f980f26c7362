import { afterEach, describe, expect, it } from 'vitest';
import { machineActionSchema } from '../../../shared/defender/types.js';
import {
  DEVICE,
  deviceId,
  errorOf,
  getFile,
  jsonOf,
  manyDevicesFleet,
  putFile,
  runScript,
  startTestSimulator,
  type TestSimulator,
} from '../../helpers/simulator.js';

describe('POST /api/machines/{id}/runliveresponse', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  it('creates a Pending LiveResponse action (201) in the documented shape', async () => {
    // Prepare
    t = await startTestSimulator();
    // Act
    const res = await t.runLiveResponse(DEVICE.finance, [
      runScript('Collect-Triage.ps1', '-OutputName t1'),
      getFile('C:\\ProgramData\\MdeResponder\\Out\\t1.zip'),
    ]);
    // Assess
    expect(res.status).toBe(201);
    const body = await jsonOf(res);
    const action = machineActionSchema.parse(body);
    expect(body['@odata.context']).toMatch(/\/api\/\$metadata#MachineActions\/\$entity$/);
    expect(action).toMatchObject({
      type: 'LiveResponse',
      status: 'Pending',
      machineId: DEVICE.finance,
      computerDnsName: 'ws-finance-07.contoso.local',
      requestorComment: 'test',
      errorHResult: 0,
    });
    expect(action.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(action.creationDateTimeUtc).toBe('2026-11-20T09:00:00.0000000Z');
    expect(action.commands).toEqual([
      {
        index: 0,
        startTime: null,
        endTime: null,
        commandStatus: 'Created',
        errors: [],
        command: runScript('Collect-Triage.ps1', '-OutputName t1'),
      },
      {
        index: 1,
        startTime: null,
        endTime: null,
        commandStatus: 'Created',
        errors: [],
        command: getFile('C:\\ProgramData\\MdeResponder\\Out\\t1.zip'),
      },
    ]);
  });

  it('answers 404 ResourceNotFound for an unknown machine', async () => {
    // Prepare
    t = await startTestSimulator();
    // Act
    const res = await t.runLiveResponse('0'.repeat(40), [getFile('C:\\x')]);
    // Assess
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: 'ResourceNotFound', message: `Machine ${'0'.repeat(40)} was not found` });
  });

  it('answers 400 InvalidInput when commands break the PutFile → RunScript → GetFile order', async () => {
    // Prepare
    t = await startTestSimulator();
    // Act
    const res = await t.runLiveResponse(DEVICE.finance, [getFile('C:\\x'), runScript('Collect-Triage.ps1')]);
    // Assess
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: 'InvalidInput', message: expect.stringMatching(/order/) as unknown });
  });

  it('answers 400 InvalidRequestBody for wrongly cased keys and a non-JSON content type', async () => {
    // Prepare
    t = await startTestSimulator();
    const path = `/api/machines/${DEVICE.finance}/runliveresponse`;
    // Act
    const casing = await t.call(path, { body: { commands: [getFile('C:\\x')], comment: 'c' } });
    const textPlain = await t.call(path, {
      body: JSON.stringify({ Commands: [getFile('C:\\x')] }),
      headers: { 'Content-Type': 'text/plain' },
    });
    // Assess
    expect([casing.status, textPlain.status]).toEqual([400, 400]);
    expect((await errorOf(casing)).code).toBe('InvalidRequestBody');
    expect((await errorOf(textPlain)).code).toBe('InvalidRequestBody');
  });

  it('answers 400 ActiveRequestAlreadyExists while the device has an open action', async () => {
    // Prepare
    t = await startTestSimulator();
    expect((await t.runLiveResponse(DEVICE.finance, [runScript('Collect-Triage.ps1', '-OutputName a')])).status).toBe(201);
    // Act
    const busy = await t.runLiveResponse(DEVICE.finance, [getFile('C:\\x')]);
    t.clock.advance(10 * 60_000);
    const free = await t.runLiveResponse(DEVICE.finance, [getFile('C:\\x')]);
    // Assess
    expect(busy.status).toBe(400);
    expect(await errorOf(busy)).toMatchObject({ code: 'ActiveRequestAlreadyExists', message: 'Action is already in progress' });
    expect(free.status).toBe(201);
    expect(t.sim.stats().activeRequestRejections).toBe(1);
  });

  it('answers 400 ActiveRequestAlreadyExists during a seeded portal session, which never appears in machineactions', async () => {
    // Prepare
    t = await startTestSimulator({
      fleet: manyDevicesFleet(1, { portalSessions: [{ deviceId: deviceId(1), fromMs: 0, untilMs: 30 * 60_000 }] }),
    });
    // Act
    const during = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    const listed = await jsonOf<{ value: unknown[] }>(await t.call('/api/machineactions'));
    t.clock.advance(30 * 60_000);
    const after = await t.runLiveResponse(deviceId(1), [runScript('Echo.ps1')]);
    // Assess
    expect(during.status).toBe(400);
    expect((await errorOf(during)).code).toBe('ActiveRequestAlreadyExists');
    expect(listed.value).toEqual([]);
    expect(after.status).toBe(201);
  });

  it('answers 429 for a 26th concurrent session, counting Pending actions on offline devices', async () => {
    // Prepare: 25 sessions queued on offline devices, created 10 per minute to stay under the call limit
    const fleet = manyDevicesFleet(26, {});
    fleet.devices = fleet.devices?.map((d) => ({ ...d, availability: 'never' as const }));
    t = await startTestSimulator({ fleet });
    for (let i = 1; i <= 25; i++) {
      expect((await t.runLiveResponse(deviceId(i), [runScript('Echo.ps1')])).status).toBe(201);
      if (i % 10 === 0) t.clock.advance(60_000);
    }
    t.clock.advance(60_000);
    // Act
    const res = await t.runLiveResponse(deviceId(26), [runScript('Echo.ps1')]);
    // Assess
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect((await errorOf(res)).message).toMatch(/25 concurrent live response sessions/);
    const stats = t.sim.stats();
    expect(stats.sessionLimitRejections).toBe(1);
    expect(stats.maxConcurrentSessions).toBe(25);
  });

  it('answers 403 DisallowedOperation for a device without an automation level', async () => {
    // Prepare
    const fleet = manyDevicesFleet(1);
    fleet.devices = fleet.devices?.map((d) => ({ ...d, noAutomationLevel: true }));
    t = await startTestSimulator({ fleet });
    // Act
    const res = await t.runLiveResponse(deviceId(1), [putFile('Echo.ps1')]);
    // Assess
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('DisallowedOperation');
  });

  it('returns commands: [] in the 201 when the emptyCommandsOnCreate fault is on', async () => {
    // Prepare
    t = await startTestSimulator({ faults: { emptyCommandsOnCreate: true } });
    // Act
    const created = await jsonOf<{ id: string; commands: unknown[] }>(
      await t.runLiveResponse(DEVICE.sql, [getFile('C:\\Windows\\System32\\drivers\\etc\\hosts')]),
    );
    const read = await jsonOf<{ commands: unknown[] }>(await t.call(`/api/machineactions/${created.id}`));
    // Assess
    expect(created.commands).toEqual([]);
    expect(read.commands).toHaveLength(1);
  });
});
