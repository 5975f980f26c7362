import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAlert } from '../../../shared/alerts/parseAlert.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/alerts/defender-api-alert.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

describe('parsing a Defender API alert', () => {
  it('normalises the documented example with its process evidence', () => {
    const parsed = parseAlert(fixture);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toMatchObject({
      id: 'da638700000000000001_1000000001',
      severity: 'High',
      category: 'CredentialAccess',
      devices: [{ id: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07', name: 'ws-finance-07.contoso.local' }],
      processes: [{ processId: 6324, fileName: 'OfficeClickToRun.exe' }],
    });
  });

  it('accepts the message body as JSON text', () => {
    expect(parseAlert(JSON.stringify(fixture)).ok).toBe(true);
  });

  it.each([
    ['text that is not JSON', '{not json', '(body): not valid JSON'],
    ['an array', [], '(shape): unsupported shape: a JSON array of 0 item(s)'],
    ['an alert without a device', { ...fixture, machineId: undefined }, 'machineId:'],
    ['a device id that is not 40 hex digits', { ...fixture, machineId: "../../etc'" }, 'machineId: a 40-hex-digit Defender device id'],
    [
      'a process id that is not a number',
      { ...fixture, evidence: [{ entityType: 'Process', processId: '6324; calc' }] },
      'evidence.0.processId',
    ],
  ])('refuses %s and names what is wrong', (_name, body, expected) => {
    const parsed = parseAlert(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')).toContain(expected);
  });
});

describe('the Defender API alert, normalised', () => {
  it('names its source in the one vocabulary and keeps the raw value', () => {
    const parsed = parseAlert(fixture);
    expect(parsed.ok && parsed.value).toMatchObject({
      source: 'defender-api',
      serviceSource: 'microsoftDefenderForEndpoint',
      detectionSource: 'microsoftDefenderForEndpoint',
      rawDetectionSource: 'WindowsDefenderAtp',
      mitreTechniques: ['T1003.001'],
      lastUpdatedMs: Date.parse('2026-11-20T09:00:02Z'),
      devices: [{ rbacGroupName: 'Workstations' }],
    });
  });

  it('reads file evidence as folder plus name', () => {
    const evidence = [{ entityType: 'File', fileName: 'update.dll', filePath: 'C:\\ProgramData\\Updater', sha256: null }];
    const parsed = parseAlert({ ...fixture, evidence });
    expect(parsed.ok && parsed.value.files).toEqual([
      {
        deviceId: fixture.machineId,
        fileName: 'update.dll',
        folderPath: 'C:\\ProgramData\\Updater',
        path: 'C:\\ProgramData\\Updater\\update.dll',
        sha256: undefined,
        sha1: undefined,
      },
    ]);
  });

  it('refuses an alert id with spaces or control characters', () => {
    const parsed = parseAlert({ ...fixture, id: 'da1\nforged log line' });
    expect(parsed.ok).toBe(false);
  });
});
