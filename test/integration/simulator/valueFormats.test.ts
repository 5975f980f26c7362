import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../../shared/clock.js';
import { DEFENDER_SCOPE } from '../../../shared/defender/port.js';
import { SIMULATOR_APP_DISPLAY_NAME, SimulatorCredential } from '../../../simulator/index.js';
import { DEVICE, getFile, jsonOf, putFile, runScript, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

type Command = { startTime: string | null; endTime: string | null; commandStatus: string };
type Action = {
  id: string;
  requestor: string;
  creationDateTimeUtc: string;
  lastUpdateDateTimeUtc: string;
  cancellationRequestor: string | null;
  cancellationDateTimeUtc: string | null;
  commands: Command[];
};
type Transcript = { script_output: string };

const APP = '0f0f0f0f-1111-2222-3333-444444444444';
const NAME = 'Contoso IR Responder';
const HOSTS = 'C:\\Windows\\System32\\drivers\\etc\\hosts';
const SEVEN_DIGITS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
/** Fraction trimmed of trailing zeros (none at all when nothing is left). */
const TRIMMED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,6}[1-9])?Z$/;
const MILLISECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,2}[1-9])?Z$/;
const fractionDigits = (iso: string): number => /\.(\d+)Z$/.exec(iso)?.[1]?.length ?? 0;

let t: TestSimulator;
afterEach(async () => {
  await t?.close();
});

const start = (valueFormats: 'simulator' | 'defender') => startTestSimulator({ settings: { valueFormats } });

/** Runs PutFile + RunScript + GetFile on the SQL server with the clock off whole seconds, and returns the finished action. */
async function finishedAction(token?: string): Promise<Action> {
  t.clock.advance(123);
  const created = await jsonOf<Action>(
    await t.runLiveResponse(
      DEVICE.sql,
      [putFile('Collect-Triage.ps1'), runScript('Collect-Triage.ps1', '-OutputName n1'), getFile(HOSTS)],
      token,
    ),
  );
  t.clock.advance(5 * MINUTE_MS + 7);
  return jsonOf<Action>(await t.call(`/api/machineactions/${created.id}`));
}

const linkOf = async (actionId: string, index: number): Promise<string> =>
  (await jsonOf<{ value: string }>(await t.call(`/api/machineactions/${actionId}/GetLiveResponseResultDownloadLink(index=${index})`)))
    .value;

describe('valueFormats: timestamps', () => {
  it('writes every action and command time with 7 fractional digits in the simulator form', async () => {
    // Prepare
    t = await start('simulator');
    // Act
    const action = await finishedAction();
    // Assess
    expect(action.creationDateTimeUtc).toMatch(SEVEN_DIGITS);
    expect(action.lastUpdateDateTimeUtc).toMatch(SEVEN_DIGITS);
    expect(action.creationDateTimeUtc).toBe('2026-11-20T09:00:00.1230000Z');
    for (const c of action.commands)
      expect([c.startTime, c.endTime]).toEqual([expect.stringMatching(SEVEN_DIGITS), expect.stringMatching(SEVEN_DIGITS)]);
  });

  it('trims trailing zeros in the defender form: entity times carry sub-millisecond ticks, command times stop at the millisecond', async () => {
    // Prepare
    t = await start('defender');
    // Act
    const action = await finishedAction();
    // Assess
    expect(action.creationDateTimeUtc).toMatch(TRIMMED);
    expect(action.creationDateTimeUtc.startsWith('2026-11-20T09:00:00.123')).toBe(true);
    expect(action.lastUpdateDateTimeUtc).toMatch(TRIMMED);
    for (const c of action.commands) {
      expect(c.startTime).toMatch(MILLISECONDS);
      expect(c.endTime).toMatch(MILLISECONDS);
    }
    expect(action.commands[0]?.startTime).toBe('2026-11-20T09:00:05.123Z');
    expect(Date.parse(action.creationDateTimeUtc)).toBe(Date.UTC(2026, 10, 20, 9, 0, 0, 123));
  });

  it('gives a time the same form on every read and every form from 7 digits down across actions', async () => {
    // Prepare
    t = await start('defender');
    const times: string[] = [];
    // Act
    for (let i = 0; i < 40; i++) {
      t.clock.advance(MINUTE_MS + 35);
      const created = await jsonOf<Action>(await t.runLiveResponse(DEVICE.finance, [runScript('Collect-Triage.ps1', '-OutputName x')]));
      const again = await jsonOf<Action>(await t.call(`/api/machineactions/${created.id}`));
      expect(again.creationDateTimeUtc).toBe(created.creationDateTimeUtc);
      times.push(created.creationDateTimeUtc);
      t.clock.advance(10 * MINUTE_MS);
    }
    // Assess
    for (const time of times) expect(time).toMatch(TRIMMED);
    expect(new Set(times.map(fractionDigits))).toEqual(new Set([2, 3, 4, 5, 6, 7]));
  });

  it('gives the same times for the same seed and requests', async () => {
    // Prepare
    t = await start('defender');
    const first = await finishedAction();
    await t.close();
    t = await start('defender');
    // Act
    const second = await finishedAction();
    // Assess
    expect(second.creationDateTimeUtc).toBe(first.creationDateTimeUtc);
    expect(second.lastUpdateDateTimeUtc).toBe(first.lastUpdateDateTimeUtc);
  });

  it('writes library, machine and alert-update times trimmed in the defender form', async () => {
    // Prepare
    t = await start('defender');
    t.sim.addAlert({ id: 'da1', status: 'New', lastUpdateTime: '2026-11-20T08:00:00Z', comments: [] });
    const writer = await t.tokenWith({ roles: ['Alert.ReadWrite.All'] });
    t.clock.advance(450);
    // Act
    const library = await jsonOf<{ value: { creationTime: string }[] }>(await t.call('/api/libraryfiles'));
    const machines = await jsonOf<{ value: { lastSeen: string }[] }>(await t.call('/api/machines'));
    const alert = await jsonOf<{ lastUpdateTime: string }>(
      await t.call('/api/alerts/da1', { method: 'PATCH', body: { status: 'InProgress' }, token: writer }),
    );
    // Assess
    for (const time of [...library.value.map((f) => f.creationTime), ...machines.value.map((m) => m.lastSeen), alert.lastUpdateTime]) {
      expect(time).toMatch(TRIMMED);
    }
    expect(alert.lastUpdateTime.startsWith('2026-11-20T09:00:00.45')).toBe(true);
  });
});

describe('valueFormats: requestor', () => {
  it('names the calling app by its id in the simulator form', async () => {
    // Prepare
    t = await start('simulator');
    const token = await t.tokenWith({ appId: APP, appDisplayName: NAME });
    // Act
    const action = await finishedAction(token);
    // Assess
    expect(action.requestor).toBe(APP);
  });

  it("names the calling app by its token's app_displayname in the defender form, on actions, cancellations, uploads and comments", async () => {
    // Prepare
    t = await start('defender');
    const token = await t.tokenWith({
      appId: APP,
      appDisplayName: NAME,
      roles: ['Machine.LiveResponse', 'Machine.Read.All', 'Library.Manage', 'Alert.ReadWrite.All'],
    });
    t.sim.addAlert({ id: 'da1', status: 'New', comments: [] });
    const form = new FormData();
    form.append('file', new Blob(['Write-Output 1']), 'Named.ps1');
    // Act
    const created = await jsonOf<Action>(
      await t.runLiveResponse(DEVICE.finance, [runScript('Collect-Triage.ps1', '-OutputName x')], token),
    );
    const cancelled = await jsonOf<Action>(await t.call(`/api/machineactions/${created.id}/cancel`, { body: { Comment: 'stop' }, token }));
    const upload = await jsonOf<{ createdBy: string }>(
      await fetch(`${t.sim.url}/api/libraryfiles`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` } }),
    );
    const alert = await jsonOf<{ comments: { createdBy: string }[] }>(
      await t.call('/api/alerts/da1', { method: 'PATCH', body: { comment: 'looked' }, token }),
    );
    // Assess
    expect(created.requestor).toBe(NAME);
    expect(cancelled.cancellationRequestor).toBe(NAME);
    expect(upload.createdBy).toBe(NAME);
    expect(alert.comments[0]?.createdBy).toBe(NAME);
  });

  it('falls back to the app id in the defender form when the token has no app_displayname', async () => {
    // Prepare
    t = await start('defender');
    const minted = await new SimulatorCredential({ clock: t.clock, appId: APP }).getToken(DEFENDER_SCOPE);
    const [header, payload] = (minted?.token ?? '').split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    delete claims.app_displayname;
    const token = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    // Act
    const action = await jsonOf<Action>(await t.runLiveResponse(DEVICE.finance, [runScript('Collect-Triage.ps1', '-OutputName x')], token));
    // Assess
    expect(action.requestor).toBe(APP);
  });

  it('puts a default display name in SimulatorCredential tokens', async () => {
    // Prepare
    t = await start('defender');
    // Act
    const action = await finishedAction();
    // Assess
    expect(action.requestor).toBe(SIMULATOR_APP_DISPLAY_NAME);
  });
});

describe('valueFormats: transcripts', () => {
  it('names the transcript after the action under Temp, with no NULs, in the simulator form', async () => {
    // Prepare
    t = await start('simulator');
    const action = await finishedAction();
    // Act
    const transcript = await jsonOf<Transcript>(await fetch(await linkOf(action.id, 1)));
    // Assess
    expect(transcript.script_output).toMatch(
      new RegExp(`^Transcript started, output file is C:\\\\ProgramData\\\\.*\\\\Temp\\\\PSScript_Transcript_${action.id}\\.txt\\n`),
    );
    expect(transcript.script_output).not.toContain('\u0000');
  });

  it('writes the transcript under PSScriptOutputs with its own GUID, leaves it on the device and may end the output in NULs, in the defender form', async () => {
    // Prepare
    t = await start('defender');
    const outputs: string[] = [];
    let action: Action | undefined;
    // Act
    for (let i = 0; i < 6; i++) {
      action = await finishedAction();
      outputs.push((await jsonOf<Transcript>(await fetch(await linkOf(action.id, 1)))).script_output);
      t.clock.advance(MINUTE_MS);
    }
    const path = /output file is (.+\.txt)\n/.exec(outputs[0] ?? '')?.[1] ?? '';
    const collected = await jsonOf<Action>(await t.runLiveResponse(DEVICE.sql, [getFile(path)]));
    t.clock.advance(MINUTE_MS);
    const fetched = await jsonOf<Action>(await t.call(`/api/machineactions/${collected.id}`));
    // Assess
    expect(path).toMatch(
      /\\Temp\\PSScriptOutputs\\PSScript_Transcript_\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}\.txt$/,
    );
    expect(path.toLowerCase()).not.toContain(action?.id ?? '');
    expect(new Set(outputs.map((o) => /output file is (.+\.txt)/.exec(o)?.[1])).size).toBe(6);
    expect(outputs.some((o) => /\u0000+$/.test(o))).toBe(true);
    expect(fetched.commands[0]?.commandStatus).toBe('Completed');
    expect(t.sim.sourceFile(DEVICE.sql, path)).toBeDefined();
  });
});

describe('valueFormats: result links', () => {
  it('links with sv, sr, sp=r, se and sig in the simulator form', async () => {
    // Prepare
    t = await start('simulator');
    const action = await finishedAction();
    // Act
    const link = new URL(await linkOf(action.id, 2));
    // Assess
    expect([...link.searchParams.keys()]).toEqual(['sv', 'sr', 'sp', 'se', 'sig']);
    expect(link.searchParams.get('sp')).toBe('r');
  });

  it('links with the parameters of a user delegation SAS, sp=rt and an encoded rscd naming the file, in the defender form', async () => {
    // Prepare
    t = await start('defender');
    const action = await finishedAction();
    // Act
    const raw = await linkOf(action.id, 2);
    const link = new URL(raw);
    const download = await fetch(raw);
    const transcriptLink = new URL(await linkOf(action.id, 1));
    // Assess
    expect([...link.searchParams.keys()]).toEqual([
      'sv',
      'st',
      'se',
      'skoid',
      'sktid',
      'skt',
      'ske',
      'sks',
      'skv',
      'sr',
      'sp',
      'rscd',
      'sig',
    ]);
    expect(link.protocol).toBe('http:');
    expect(link.searchParams.get('sp')).toBe('rt');
    expect(raw).toContain('rscd=attachment%3B%20filename%3Dhosts.gz&');
    expect(link.searchParams.get('st')).toBe('2026-11-20T09:00:00Z');
    expect(link.searchParams.get('se')).toBe('2026-11-20T09:35:00Z');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename=hosts.gz');
    expect(transcriptLink.searchParams.get('rscd')).toMatch(/^attachment; filename=PSScript_Transcript_\{[0-9A-F-]{36}\}\.json$/);
  });

  it('refuses a defender-form link whose rscd was changed, and one used after its se', async () => {
    // Prepare
    t = await start('defender');
    const action = await finishedAction();
    const tampered = new URL(await linkOf(action.id, 2));
    tampered.searchParams.set('rscd', 'attachment; filename=evil.exe');
    const link = await linkOf(action.id, 2);
    // Act
    const refused = await fetch(tampered);
    t.clock.advance(30 * MINUTE_MS);
    const expired = await fetch(link);
    // Assess
    expect(refused.status).toBe(403);
    expect(expired.status).toBe(403);
    expect(expired.headers.get('x-ms-error-code')).toBe('AuthenticationFailed');
  });
});

describe('valueFormats: profiles', () => {
  it('is the defender form under the strict profile and the simulator form by default', async () => {
    // Prepare
    t = await startTestSimulator({ settings: { profile: 'strict' } });
    const strict = t.sim.strictness.valueFormats;
    await t.close();
    t = await startTestSimulator();
    // Act
    const lenient = t.sim.strictness.valueFormats;
    // Assess
    expect([lenient, strict]).toEqual(['simulator', 'defender']);
  });
});
