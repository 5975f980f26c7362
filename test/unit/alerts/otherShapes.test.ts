import { describe, expect, it } from 'vitest';
import { UNTITLED } from '../../../shared/alerts/streamedAlert.js';
import { parseAlert, parseAlerts } from '../../../shared/alerts/parseAlert.js';
import { alertFixture, FINANCE, record } from '../../helpers/alerts.js';

const graph = alertFixture('graph-alerts-v2');
const streaming = alertFixture('streaming-api-records');
const describeErrors = (r: ReturnType<typeof parseAlerts>): string =>
  r.ok ? '' : r.errors.map((e) => `${e.path}: ${e.message}`).join('; ');

describe('parsing a Graph alerts_v2 alert', () => {
  it('normalises the documented example: device, process and file evidence by @odata.type', () => {
    const parsed = parseAlert(graph);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toMatchObject({
      id: 'da638700000000000002_2000000002',
      source: 'graph-v2',
      severity: 'Medium',
      category: 'Execution',
      serviceSource: 'microsoftDefenderForEndpoint',
      detectionSource: 'microsoftDefenderForEndpoint',
      mitreTechniques: ['T1059.001'],
      lastUpdatedMs: Date.parse('2026-11-20T09:10:05Z'),
      devices: [{ id: FINANCE, name: 'ws-finance-07.contoso.local', osPlatform: 'Windows11', rbacGroupName: 'Workstations' }],
      processes: [
        {
          deviceId: FINANCE,
          processId: 8812,
          parentProcessId: 4120,
          fileName: 'powershell.exe',
          folderPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0',
        },
      ],
      files: [{ deviceId: FINANCE, fileName: 'stage2.ps1', path: 'C:\\Users\\jdoe\\AppData\\Local\\Temp\\stage2.ps1', sizeBytes: 4096 }],
    });
  });

  it('recognises an alert without @odata.type by its Graph fields', () => {
    const { ['@odata.type']: _type, ...plain } = graph;
    expect(parseAlert(plain)).toMatchObject({ ok: true, value: { source: 'graph-v2' } });
  });

  it('passes over evidence types it does not use (users, IPs)', () => {
    const evidence = [
      ...(graph.evidence as unknown[]),
      { '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { accountName: 'jdoe' } },
    ];
    expect(parseAlert({ ...graph, evidence })).toMatchObject({ ok: true, value: { processes: [{ processId: 8812 }] } });
  });

  it('keeps an alert whose device has no Defender device id, with no device to answer on', () => {
    const evidence = [{ '@odata.type': '#microsoft.graph.security.deviceEvidence', mdeDeviceId: null, deviceDnsName: 'x' }];
    expect(parseAlert({ ...graph, evidence })).toMatchObject({ ok: true, value: { devices: [] } });
  });

  it.each([
    ['an evidence item without @odata.type', { evidence: [{ processId: 1 }] }, 'evidence.0.@odata.type'],
    [
      'a device id that is not 40 hex digits',
      { evidence: [{ '@odata.type': '#microsoft.graph.security.deviceEvidence', mdeDeviceId: '..\\..\\x' }] },
      'evidence.0.mdeDeviceId: a 40-hex-digit Defender device id',
    ],
    [
      'a process id given as text',
      { evidence: [{ '@odata.type': '#microsoft.graph.security.processEvidence', processId: '8812; calc' }] },
      'evidence.0.processId',
    ],
    [
      'file evidence without fileDetails',
      { evidence: [{ '@odata.type': '#microsoft.graph.security.fileEvidence' }] },
      'evidence.0.fileDetails',
    ],
    [
      'another @odata.type than an alert',
      { '@odata.type': '#microsoft.graph.security.user' },
      '(shape): unsupported shape: an object of @odata.type "#microsoft.graph.security.user", not an alert',
    ],
    ['no title', { title: undefined }, 'title'],
  ])('refuses %s and names it', (_name, change, expected) => {
    expect(describeErrors(parseAlerts({ ...graph, ...change }))).toContain(expected);
  });
});

describe('parsing streaming API records', () => {
  it('groups the documented AlertInfo and AlertEvidence records into one alert', () => {
    const parsed = parseAlerts(streaming);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.rejected).toEqual([]);
    expect(parsed.value.alerts).toEqual([
      expect.objectContaining({
        id: 'da638700000000000003_3000000003',
        source: 'streaming',
        title: 'Suspicious file dropped',
        category: 'Malware',
        severity: 'High',
        serviceSource: 'microsoftDefenderForEndpoint',
        rawDetectionSource: 'EDR',
        detectionSource: 'microsoftDefenderForEndpoint',
        mitreTechniques: ['T1105'],
        devices: [{ id: FINANCE, name: 'ws-finance-07.contoso.local' }],
        processes: [],
        files: [
          expect.objectContaining({
            fileName: 'update.dll',
            path: 'C:\\ProgramData\\Updater\\update.dll',
            sizeBytes: 204800,
            sha1: '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567',
          }),
        ],
      }),
    ]);
  });

  it('turns a message that carries two alerts into two alerts, process rows without a process id', () => {
    const records = [
      ...(streaming.records as unknown[]),
      record('AlertEvidence', {
        AlertId: 'da2',
        Title: 'Second',
        Severity: 'Medium',
        Categories: '["Execution"]',
        EntityType: 'Process',
        FileName: 'rundll32.exe',
        FolderPath: 'C:\\Windows\\System32\\rundll32.exe',
        ProcessCommandLine: 'rundll32 x',
        DeviceId: FINANCE,
        DeviceName: 'ws',
      }),
      record('DeviceEvents', { DeviceId: FINANCE }),
    ];
    const parsed = parseAlerts({ records });
    expect(parsed.ok && parsed.value.alerts.map((a) => a.id)).toEqual(['da638700000000000003_3000000003', 'da2']);
    expect(parsed.ok && parsed.value.ignoredRecords).toBe(1);
    expect(parsed.ok && parsed.value.alerts[1]).toMatchObject({
      category: 'Execution',
      severity: 'Medium',
      processes: [{ fileName: 'rundll32.exe', commandLine: 'rundll32 x' }],
    });
    expect(parsed.ok && parsed.value.alerts[1]?.processes[0]?.processId).toBeUndefined();
  });

  it('rejects only the malformed alert of a message and keeps the others', () => {
    const records = [
      ...(streaming.records as unknown[]),
      record('AlertEvidence', { AlertId: 'bad', Title: 'x', EntityType: 'Machine', DeviceId: "1e5b'; drop" }),
    ];
    const parsed = parseAlerts({ records });
    expect(parsed.ok && parsed.value.alerts.map((a) => a.id)).toEqual(['da638700000000000003_3000000003']);
    expect(parsed.ok && parsed.value.rejected).toEqual([
      {
        alertId: 'bad',
        issues: [{ path: 'records.3.properties.DeviceId', message: expect.stringMatching(/40-hex/) as unknown }],
        body: { records: [records[3]] },
      },
    ]);
  });

  it.each([
    ['an empty records array', { records: [] }, 'records: at least one record'],
    ['records of other tables only', { records: [record('DeviceEvents', {})] }, 'records: no AlertInfo or AlertEvidence record'],
    ['a record without properties', { records: [{ category: 'AdvancedHunting-AlertInfo' }] }, 'records.0.properties'],
  ])('refuses %s and names it', (_name, body, expected) => {
    expect(describeErrors(parseAlerts(body))).toContain(expected);
  });

  it('accepts an older record that gives no title or severity, with its device', () => {
    const parsed = parseAlerts({ records: [record('AlertEvidence', { AlertId: 'x1', EntityType: 'Machine', DeviceId: FINANCE })] });
    expect(parsed.ok && parsed.value.alerts).toEqual([
      expect.objectContaining({ id: 'x1', title: UNTITLED, severity: 'Unknown', devices: [{ id: FINANCE }] }),
    ]);
  });
});

describe('parsing a collection page', () => {
  it('reads each alert of {value: [...]} on its own', () => {
    const parsed = parseAlerts({ value: [alertFixture('defender-api-alert'), graph, { id: 'x' }, { id: 'y', alertCreationTime: null }] });
    expect(parsed.ok && parsed.value.alerts.map((a) => a.source)).toEqual(['defender-api', 'graph-v2']);
    expect(parsed.ok && parsed.value.rejected.map((r) => r.issues.map((i) => `${i.path}: ${i.message}`).join('; '))).toEqual([
      'value.2.(shape): unsupported shape: a JSON object with keys id: none of the fields of an accepted alert shape',
      expect.stringContaining('value.3.machineId: '),
    ]);
  });
});
