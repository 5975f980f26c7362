import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS } from '../../../shared/clock.js';
import { machineActionSchema, scriptTranscriptSchema, type MachineAction } from '../../../shared/defender/types.js';
import {
  DEVICE,
  deviceId,
  errorOf,
  getFile,
  gunzipSha256,
  jsonOf,
  manyDevicesFleet,
  putFile,
  runScript,
  startTestSimulator,
  type TestSimulator,
} from '../../helpers/simulator.js';

const OUT = 'C:\\ProgramData\\MdeResponder\\Out';

describe('live response execution', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  const start = async (machineId: string, commands: unknown[]): Promise<string> => {
    const res = await t.runLiveResponse(machineId, commands);
    expect(res.status).toBe(201);
    return (await jsonOf<{ id: string }>(res)).id;
  };
  const action = async (id: string): Promise<MachineAction> =>
    machineActionSchema.parse(await jsonOf(await t.call(`/api/machineactions/${id}`)));
  const link = async (id: string, index: number): Promise<string> =>
    (await jsonOf<{ value: string }>(await t.call(`/api/machineactions/${id}/GetLiveResponseResultDownloadLink(index=${index})`))).value;

  it('runs RunScript then GetFile to Succeeded, and both results download: the transcript and gzip of the original bytes', async () => {
    // Prepare
    t = await startTestSimulator();
    const id = await start(DEVICE.finance, [
      runScript('Invoke-ProcessDump.ps1', "-ProcessId 8812 -OutputName 'case-1'"),
      getFile(`${OUT}\\case-1.dmp`),
    ]);
    // Act
    t.clock.advance(5_000 + 45_000);
    const midway = await action(id);
    t.clock.advance(5 * MINUTE_MS);
    const done = await action(id);
    const transcript = scriptTranscriptSchema.parse(await (await fetch(await link(id, 0))).json());
    const gz = await fetch(await link(id, 1));
    const bytes = Buffer.from(await gz.arrayBuffer());
    // Assess
    expect(midway.status).toBe('InProgress');
    expect(midway.commands[0]).toMatchObject({ commandStatus: 'Created', startTime: '2026-11-20T09:00:05.0000000Z', endTime: null });
    expect(done.status).toBe('Succeeded');
    expect(done.commands.map((c) => c.commandStatus)).toEqual(['Completed', 'Completed']);
    expect(done.commands[0]).toMatchObject({ startTime: '2026-11-20T09:00:05.0000000Z', endTime: '2026-11-20T09:01:35.0000000Z' });
    expect(transcript.script_name).toBe('Invoke-ProcessDump.ps1');
    expect(transcript.exit_code).toBe(0);
    expect(transcript.script_output).toMatch(/^Transcript started, output file is .*PSScript_Transcript_.*\.txt\n/);
    expect(transcript.script_output).toContain('Opening process 8812 (powershell.exe)');
    const source = t.sim.sourceFile(DEVICE.finance, `${OUT}\\case-1.dmp`);
    expect(source?.sizeBytes).toBe(48 * 1024 * 1024);
    expect(gunzipSha256(bytes)).toBe(source?.sha256);
  });

  it('collects a plain file from the device', async () => {
    // Prepare
    t = await startTestSimulator();
    const path = 'C:\\Windows\\System32\\drivers\\etc\\hosts';
    const id = await start(DEVICE.sql, [getFile(path)]);
    t.clock.advance(MINUTE_MS);
    // Act
    const res = await fetch(await link(id, 0));
    // Assess
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(gunzipSha256(Buffer.from(await res.arrayBuffer()))).toBe(t.sim.sourceFile(DEVICE.sql, path)?.sha256);
  });

  it("keeps an offline device's action Pending for two days and times it out after three", async () => {
    // Prepare
    const fleet = manyDevicesFleet(1);
    fleet.devices = fleet.devices?.map((d) => ({ ...d, availability: 'never' as const }));
    t = await startTestSimulator({ fleet });
    const id = await start(deviceId(1), [runScript('Echo.ps1')]);
    // Act
    t.clock.advance(2 * DAY_MS);
    const after2Days = await action(id);
    t.clock.advance(DAY_MS);
    const after3Days = await action(id);
    // Assess
    expect(after2Days.status).toBe('Pending');
    expect(after3Days.status).toBe('TimeOut');
    expect(after3Days.lastUpdateDateTimeUtc).toBe('2026-11-23T09:00:00.0000000Z');
    expect(after3Days.commands[0]?.commandStatus).toBe('Created');
  });

  it('picks a queued action up once the device comes online (lt-sales-12 is offline for 20 minutes)', async () => {
    // Prepare
    t = await startTestSimulator();
    const id = await start(DEVICE.sales, [runScript('Collect-Triage.ps1', '-OutputName s1'), getFile(`${OUT}\\s1.zip`)]);
    // Act
    t.clock.advance(19 * MINUTE_MS);
    const offline = await action(id);
    t.clock.advance(4 * MINUTE_MS);
    const online = await action(id);
    // Assess
    expect(offline.status).toBe('Pending');
    expect(online.status).toBe('Succeeded');
    expect(online.commands[0]?.startTime).toBe('2026-11-20T09:20:05.0000000Z');
  });

  it('stops at the first failed command: later commands stay Created and the action is Failed (ws-dev-03)', async () => {
    // Prepare
    t = await startTestSimulator();
    const id = await start(DEVICE.dev, [runScript('Invoke-ProcessDump.ps1', '-ProcessId 7712 -OutputName d1'), getFile(`${OUT}\\d1.dmp`)]);
    // Act
    t.clock.advance(10 * MINUTE_MS);
    const failed = await action(id);
    const linkRes = await t.call(`/api/machineactions/${id}/GetLiveResponseResultDownloadLink(index=0)`);
    // Assess
    expect(failed.status).toBe('Failed');
    expect(failed.commands[0]).toMatchObject({ commandStatus: 'Failed', errors: [expect.stringMatching(/Access is denied/) as unknown] });
    expect(failed.commands[1]).toMatchObject({ commandStatus: 'Created', startTime: null, endTime: null, errors: [] });
    expect(linkRes.status).toBe(400);
    expect(t.sim.sourceFile(DEVICE.dev, `${OUT}\\d1.dmp`)).toBeUndefined();
  });

  it.each([
    ['a script missing from the library', [runScript('Nope.ps1')], /not found in the live response library/],
    ['a path missing on the device', [getFile('C:\\nothing.txt')], /not found on the device/],
    ['a missing mandatory argument', [runScript('Invoke-ProcessDump.ps1', '-ProcessId 8812')], /mandatory parameters: OutputName/],
    ['a process that is not running', [runScript('Invoke-ProcessDump.ps1', '-ProcessId 1 -OutputName x')], /process identifier 1/],
    ['a PutFile of an unknown library file', [putFile('Nope.ps1')], /not found in the live response library/],
  ])('fails the command for %s', async (_name, commands, message) => {
    // Prepare
    t = await startTestSimulator();
    const id = await start(DEVICE.finance, commands);
    // Act
    t.clock.advance(MINUTE_MS);
    const failed = await action(id);
    // Assess
    expect(failed.status).toBe('Failed');
    expect(failed.commands[0]?.errors.join(' ')).toMatch(message);
  });

  it('times a script out after 10 minutes: command Failed, action TimeOut', async () => {
    // Prepare
    t = await startTestSimulator({ fleet: manyDevicesFleet(1, { scriptDefaults: { 'Echo.ps1': { durationMs: 11 * MINUTE_MS } } }) });
    const id = await start(deviceId(1), [runScript('Echo.ps1'), getFile('C:\\x')]);
    // Act
    t.clock.advance(9 * MINUTE_MS);
    const running = await action(id);
    t.clock.advance(2 * MINUTE_MS);
    const timedOut = await action(id);
    // Assess
    expect(running.status).toBe('InProgress');
    expect(timedOut.status).toBe('TimeOut');
    expect(timedOut.commands.map((c) => c.commandStatus)).toEqual(['Failed', 'Created']);
    expect(timedOut.commands[0]?.errors[0]).toMatch(/time-out/);
  });

  it('completes a script with a non-zero exit code and reports it in the transcript', async () => {
    // Prepare
    t = await startTestSimulator({ fleet: manyDevicesFleet(1, { scriptDefaults: { 'Echo.ps1': { exitCode: 3, errors: 'warning' } } }) });
    const id = await start(deviceId(1), [runScript('Echo.ps1')]);
    t.clock.advance(MINUTE_MS);
    // Act
    const transcript = scriptTranscriptSchema.parse(await (await fetch(await link(id, 0))).json());
    // Assess
    expect((await action(id)).status).toBe('Succeeded');
    expect(transcript).toMatchObject({ exit_code: 3, script_errors: 'warning' });
  });

  it('lets PutFile copy a library file onto the device', async () => {
    // Prepare
    t = await startTestSimulator({ fleet: manyDevicesFleet(1) });
    const id = await start(deviceId(1), [putFile('Echo.ps1')]);
    // Act
    t.clock.advance(MINUTE_MS);
    // Assess
    expect((await action(id)).status).toBe('Succeeded');
    expect(
      t.sim.sourceFile(deviceId(1), 'C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Downloads\\echo.ps1'),
    ).toBeDefined();
  });

  it('cancels an open action (200 Cancelled) and refuses to cancel a final one (400 DisallowedOperation)', async () => {
    // Prepare
    t = await startTestSimulator();
    const id = await start(DEVICE.finance, [
      runScript('Invoke-ProcessDump.ps1', '-ProcessId 8812 -OutputName c1'),
      getFile(`${OUT}\\c1.dmp`),
    ]);
    t.clock.advance(30_000);
    // Act
    const cancelled = await t.call(`/api/machineactions/${id}/cancel`, { body: { Comment: 'analyst stop' } });
    const again = await t.call(`/api/machineactions/${id}/cancel`, { body: { Comment: 'again' } });
    // Assess
    expect(cancelled.status).toBe(200);
    const body = machineActionSchema.parse(await cancelled.json());
    expect(body).toMatchObject({
      status: 'Cancelled',
      cancellationComment: 'analyst stop',
      cancellationDateTimeUtc: '2026-11-20T09:00:30.0000000Z',
    });
    expect(body.commands.map((c) => c.commandStatus)).toEqual(['Failed', 'Created']);
    expect(again.status).toBe(400);
    expect((await errorOf(again)).code).toBe('DisallowedOperation');
    t.clock.advance(10 * MINUTE_MS);
    expect(t.sim.sourceFile(DEVICE.finance, `${OUT}\\c1.dmp`)).toBeUndefined();
    expect(t.sim.stats().actionsByStatus.Cancelled).toBe(1);
  });

  it('answers the same request sequence with the same responses (deterministic)', async () => {
    // Prepare
    const run = async (): Promise<string[]> => {
      t = await startTestSimulator();
      const out: string[] = [];
      const id = await start(DEVICE.finance, [runScript('Collect-Triage.ps1', '-OutputName z'), getFile(`${OUT}\\z.zip`)]);
      t.clock.advance(5 * MINUTE_MS);
      out.push(JSON.stringify(await action(id)), await link(id, 1), JSON.stringify(t.sim.sourceFile(DEVICE.finance, `${OUT}\\z.zip`)));
      out.push(JSON.stringify(await errorOf(await t.call('/api/machines/none'))));
      await t.close();
      return out.map((s) => s.replace(/127\.0\.0\.1:\d+/g, 'HOST'));
    };
    // Act
    const first = await run();
    const second = await run();
    t = await startTestSimulator();
    // Assess
    expect(second).toEqual(first);
  });
});
