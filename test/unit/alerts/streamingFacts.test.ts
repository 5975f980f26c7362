import { describe, expect, it } from 'vitest';
import { parseAlert, parseAlerts } from '../../../shared/alerts/parseAlert.js';
import { MAX_ADDITIONAL_FIELDS_CHARS } from '../../../shared/alerts/additionalFields.js';
import { FINANCE, record } from '../../helpers/alerts.js';
import { STREAMED_ID, streamedInfo, streamedMachine, streamedProcess } from '../../helpers/streamedAlert.js';

const processOf = (body: unknown) => {
  const parsed = parseAlert(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
};

describe("the streaming rows' facts", () => {
  it('reads the process id, parent, command line and device of a Process row from AdditionalFields', () => {
    const alert = processOf({ records: [streamedInfo(), streamedProcess()] });
    expect(alert.devices).toEqual([{ id: FINANCE }]);
    expect(alert.processes).toEqual([
      expect.objectContaining({
        deviceId: FINANCE,
        processId: 6324,
        parentProcessId: 4410,
        fileName: 'rundll32.exe',
        folderPath: 'C:\\Windows\\System32',
        commandLine: expect.stringMatching(/^rundll32\.exe .*MiniDump/) as unknown,
      }),
    ]);
    expect(alert.problems).toBeUndefined();
  });

  it('joins a File row path from its folder and its name', () => {
    const file = record('AlertEvidence', {
      AlertId: STREAMED_ID,
      EntityType: 'File',
      FileName: 'payload.dll',
      FolderPath: 'C:\\Users\\Public',
      DeviceId: FINANCE,
    });
    expect(processOf([file]).files).toEqual([expect.objectContaining({ path: 'C:\\Users\\Public\\payload.dll' })]);
  });

  it.each([
    ['not JSON', '{ProcessId: 6324', 'AdditionalFields is not JSON: not read'],
    ['a JSON array', '[1,2]', 'AdditionalFields is not a JSON object: not read'],
    ['huge', JSON.stringify({ ProcessId: '1', Pad: 'x'.repeat(MAX_ADDITIONAL_FIELDS_CHARS) }), 'over 65536: not read'],
  ])('records an AdditionalFields that is %s as a problem and keeps the row', (_name, value, problem) => {
    const alert = processOf({ records: [streamedInfo(), streamedProcess(STREAMED_ID, {}, { AdditionalFields: value })] });
    expect(alert.processes).toHaveLength(1);
    expect(alert.processes[0]?.processId).toBeUndefined();
    expect(alert.problems).toEqual([expect.stringContaining(problem)]);
  });

  it.each([['6324; calc'], ['-1'], ['99999999999'], [6324.5]])('refuses a ProcessId of %j and says so, never the value', (pid) => {
    const alert = processOf({ records: [streamedInfo(), streamedProcess(STREAMED_ID, { ProcessId: pid })] });
    expect(alert.processes[0]?.processId).toBeUndefined();
    expect(alert.problems).toEqual(['Process record: AdditionalFields.ProcessId is not a process id']);
  });

  it('keeps an attacker-written command line as text', () => {
    const hostile = 'x"; Remove-Item C:\\ -Recurse; $(calc) `whoami` {run.token}';
    const alert = processOf({ records: [streamedInfo(), streamedProcess(STREAMED_ID, { CommandLine: hostile })] });
    expect(alert.processes[0]?.commandLine).toBe(hostile);
  });
});

describe('bare streaming records', () => {
  it('accepts one record without its envelope', () => {
    const parsed = parseAlerts(streamedProcess());
    expect(parsed.ok && parsed.value.shape).toBe('streaming');
    expect(parsed.ok && parsed.value.alerts[0]?.processes[0]?.processId).toBe(6324);
  });

  it('accepts an array of records, and an array of envelopes, as one set of records', () => {
    const records = [streamedInfo(), streamedMachine(), streamedProcess()];
    for (const body of [records, [{ records: records.slice(0, 1) }, { records: records.slice(1) }]]) {
      const parsed = parseAlerts(body);
      expect(parsed.ok && parsed.value.alerts.map((a) => [a.id, a.title, a.devices.length, a.processes[0]?.processId])).toEqual([
        [STREAMED_ID, 'Suspicious access to LSASS service', 1, 6324],
      ]);
    }
  });
});
